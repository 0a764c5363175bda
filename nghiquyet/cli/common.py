"""Options and helpers shared by every command: settings, the engine, error reporting."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.text import Text

from core.config import ConfigError, Settings, load_settings
from core.errors import NghiquyetError

F = TypeVar("F", bound=Callable[..., Any])

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def store_option(func: F) -> F:
    """`--store DIR` on every command (default NGHIQUYET_STORE_DIR, else ./.nghiquyet)."""
    return click.option(
        "--store",
        "store_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Thư mục chỉ mục (mặc định NGHIQUYET_STORE_DIR hoặc ./.nghiquyet).",
    )(func)


def make_settings(store_dir: Path | None, **overrides: Any) -> Settings:
    """The settings for a command; a bad one ends the command with its one-line message, exit code 1."""
    try:
        return load_settings(store_dir=store_dir, **overrides)
    except ConfigError as exc:
        report_error("Lỗi cấu hình:", str(exc))
        raise SystemExit(1) from exc


def report_error(label: str, message: str) -> None:
    """One error on stderr, unwrapped: a message often ends in a command to copy, which a line break would cut."""
    err_console.print(Text.assemble((label, "bold red"), " ", message), soft_wrap=True)


def friendly_errors(func: F) -> F:
    """Turn the library's errors into a one-line Vietnamese message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NghiquyetError as exc:
            report_error("Lỗi:", exc.user_message())
            raise SystemExit(1) from exc
        except ConfigError as exc:
            report_error("Lỗi cấu hình:", str(exc))
            raise SystemExit(1) from exc

    return wrapper  # type: ignore[return-value]


def has_bad_bytes(text: str) -> bool:
    """Whether `text` holds bytes that were not UTF-8: Python keeps them as lone surrogates (argv,
    a JSON "\\ud800" escape), which nothing downstream can encode."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def check_text(text: str, what: str) -> str:
    """`text` unchanged, or a Vietnamese refusal naming `what` when it holds bytes that are not UTF-8."""
    if has_bad_bytes(text):
        shown = text.encode("utf-8", "replace").decode("utf-8")
        raise NghiquyetError(
            f"{what} có byte không phải UTF-8 («{shown}»).",
            "Gõ lại bằng bàn phím tiếng Việt Unicode, hoặc đặt bảng mã của cửa sổ lệnh là UTF-8 "
            "(ví dụ `export LANG=C.UTF-8`).",
        )
    return text


def canonical_provinces(values: Sequence[str]) -> tuple[str, ...]:
    """Province names as the index writes them ("tra vinh" → "Trà Vinh"); unknown names are refused."""
    from ingest.provinces import canonical_province

    out: list[str] = []
    for value in values:
        name = canonical_province(value)
        if name is None:
            raise click.BadParameter(f"không nhận ra tên tỉnh/thành phố «{value}».", param_hint="--province")
        if name not in out:
            out.append(name)
    return tuple(out)
