"""`nghiquyet ingest PATH... [--rebuild]`: progress bar, then a summary table and one closing line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.console import Console
from rich.table import Table
from rich.text import Text

from nghiquyet.cli.common import console, err_console, friendly_errors, make_settings, store_option
from nghiquyet.engine import Engine
from core.errors import StoreDamaged

if TYPE_CHECKING:  # nghiquyet.indexing pulls in chromadb: keep `nghiquyet --help` instant
    from nghiquyet.indexing import IngestProgress, IngestReport

STATUS_VI = {
    "added": ("mới nạp", "green"),
    "updated": ("cập nhật", "cyan"),
    "unchanged": ("không đổi", "dim"),
    "skipped": ("bỏ qua", "yellow"),
    "failed": ("lỗi", "bold red"),
}
_STAGE_VI = {
    "prepare": "đọc, chia đoạn", "ocr": "nhận dạng chữ từ ảnh", "embed": "nhúng", "write": "ghi vào kho", "done": "xong",
}


def years_label(years: tuple[int, ...]) -> str:
    """2015, 2016, …, 2025 → "2015–2025"; runs of consecutive years are shortened."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


_WIDE = 120  # narrower, a reason column is squeezed to a few letters; the closing line names the reasons


def _summary_table(report: "IngestReport", width: int) -> Table:
    with_reasons = width >= _WIDE and any(r.reason for r in report.results)
    names = [r.source or Path(r.path).name for r in report.results]
    table = Table(title="Kết quả nạp")
    table.add_column("Tệp", overflow="fold")
    table.add_column("Trạng thái", overflow="fold")
    table.add_column("Đoạn", justify="right")
    for header in ("Tỉnh", "Năm", "Loại"):
        table.add_column(header, overflow="fold")
    if with_reasons:
        table.add_column("Lý do", overflow="fold", ratio=1)
    for name, r in zip(names, report.results):
        label, style = STATUS_VI[r.status]
        cells: list[Text | str] = [
            Text(name),  # Text: file names and reasons are never read as rich markup
            Text(label, style=style),
            str(r.chunks) if r.chunks else "",
            Text(r.province or "—"),
            Text(years_label(r.years) or "—"),
            Text(r.doc_type or "—"),
        ]
        if with_reasons:
            cells.append(Text(r.reason or ""))
        table.add_row(*cells)
    return table


def _print_report(report: "IngestReport") -> None:
    console.print(_summary_table(report, console.width))
    for r in report.results:
        for warning in r.warnings:
            console.print(Text(f"  ! {r.source}: {warning}", style="yellow"))
    console.print(Text(report.summary(), style="bold" if report.ok else "bold red"))
    details = [f"{report.chunks_written} đoạn được ghi", f"{report.passages_embedded} đoạn phải nhúng mới"]
    if report.leftovers_removed:
        details.append(f"dọn {report.leftovers_removed} đoạn thừa của lần nạp bị gián đoạn")
    if report.rebuilt:
        details.append("dựng lại từ đầu")
    console.print(Text(f"{'; '.join(details)} — {report.elapsed_s:.1f} giây.", style="dim"))


def progress_bar(out: Console) -> Progress:
    """Files done, time spent and time left; drawn only on a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("còn"),
        # Estimated from the rate over the last half minute: the passages of a long document move it.
        TimeRemainingColumn(),
        console=out,
        transient=True,
        disable=not out.is_terminal,
    )


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Xoá chỉ mục hiện có và nạp lại từ đầu.")
@store_option
@friendly_errors
def ingest_command(paths: tuple[Path, ...], rebuild: bool, store_dir: Path | None) -> None:
    """Nạp tài liệu (tệp hoặc thư mục: .txt, .pdf, .docx, .doc, .odt, .rtf, .html) vào chỉ mục.

    Tệp không đổi được bỏ qua, tệp đã sửa được thay đúng các đoạn cũ. Tài liệu đã nạp mà không còn
    trong thư mục vẫn được giữ: xoá bằng `nghiquyet delete TÊN_TỆP` hoặc nạp lại với --rebuild.
    """
    settings = make_settings(store_dir)
    engine = Engine(settings)
    if rebuild:
        try:
            _ = engine.store
        except StoreDamaged:
            from nghiquyet.indexing import discard_damaged_store

            err_console.print(Text("Chỉ mục cũ bị hỏng: xoá và dựng lại từ đầu.", style="yellow"))
            discard_damaged_store(settings)

    with progress_bar(err_console) as bar:
        task = bar.add_task("Chuẩn bị…", total=None)

        def show(p: "IngestProgress") -> None:
            stage = _STAGE_VI[p.stage]
            if p.stage == "embed" and p.passages_total:
                stage = f"{stage} {p.passages_done}/{p.passages_total} đoạn"
            elif p.stage == "ocr" and p.passages_total:
                stage = f"{stage} {p.passages_done}/{p.passages_total} trang"
            fraction = p.passages_done / p.passages_total if p.passages_total else 0.0
            done = p.index if p.stage == "done" else p.index - 1 + fraction
            bar.update(task, total=p.total, completed=done, description=f"{Path(p.path).name} — {stage}")

        report = engine.ingest(list(paths), rebuild=rebuild, progress=show)

    _print_report(report)
    if not report.ok:
        raise SystemExit(1)


COMMANDS: list[click.Command] = [ingest_command]
