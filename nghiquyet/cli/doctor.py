"""`nghiquyet doctor`: the health checks (`nghiquyet.health`), one line each, and the fix; exit 1 when not ready."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from rich.text import Text

from nghiquyet.cli.common import console, friendly_errors, make_settings, store_option
from nghiquyet.health import FAIL, OK, WARN, Finding, check

_MARK = {OK: ("✓", "green"), WARN: ("!", "yellow"), FAIL: ("✗", "bold red")}


def _print(finding: Finding) -> None:
    mark, style = _MARK[finding.state]
    detail = f" — {finding.detail}" if finding.detail else ""
    console.print(Text.assemble((f"{mark} ", style), (finding.title, "bold"), (detail, "")))


@click.command("doctor")
@store_option
@friendly_errors
def doctor_command(store_dir: Path | None) -> None:
    """Kiểm tra kho chỉ mục, mô hình nhúng và chỉ mục từ vựng; chỉ cách sửa khi có lỗi."""
    # Loading a saved index logs what it finds damaged "and rebuilds"; doctor only reports it.
    logging.getLogger("retrieval").setLevel(logging.ERROR)
    report = check(make_settings(store_dir), _print)
    if not report.healthy:
        console.print(Text(f"Có lỗi. {report.advice or ''}".strip(), style="bold red"))
        raise SystemExit(1)
    console.print(Text("Mọi thứ ổn.", style="bold green"))


COMMANDS: list[click.Command] = [doctor_command]
