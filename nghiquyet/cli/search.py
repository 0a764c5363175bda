"""`nghiquyet search "question"`: ranked passages with score, source, heading path and location."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from nghiquyet.cli.common import canonical_provinces, check_text, console, friendly_errors, make_settings, store_option
from nghiquyet.engine import Engine
from retrieval.models import Filters, SearchResult

_INTENT_VI = {"target": "chỉ tiêu / kế hoạch", "result": "kết quả thực hiện", "any": "không rõ"}
_PREVIEW_CHARS = 600


def _print_human(result: SearchResult) -> None:
    a = result.analysis
    facts = []
    if a.provinces:
        facts.append(f"tỉnh: {', '.join(a.provinces)}")
    if a.years:
        facts.append(f"năm: {', '.join(map(str, a.years))}")
    facts.append(f"hỏi về: {_INTENT_VI[a.intent]}")
    if a.expansions:
        facts.append(f"mở rộng: {', '.join(a.expansions)}")
    if a.unaccented:
        facts.append("gõ không dấu")
    console.print(Text("Phân tích câu hỏi — " + " · ".join(facts), style="dim"))
    if a.unknown_provinces or a.unknown_years:
        missing = [*a.unknown_provinces, *map(str, a.unknown_years)]
        console.print(Text(f"Chưa có tài liệu nào về: {', '.join(missing)}.", style="bold yellow"))
    if not result.passages:
        console.print("Không tìm thấy đoạn văn nào phù hợp.")
        return
    for rank, passage in enumerate(result.passages, start=1):
        c = passage.chunk
        where = " · ".join(
            part
            for part in (
                c.source,
                c.doc.province or "",
                ", ".join(map(str, c.doc.years)),
                c.location,
            )
            if part
        )
        console.print()
        console.print(Text.assemble((f"#{rank}", "bold cyan"), f"  điểm {passage.score:.4f}  ", (where, "dim")))
        if c.heading_path:
            console.print(Text(" > ".join(c.heading_path), style="italic"))
        text = c.text if len(c.text) <= _PREVIEW_CHARS else c.text[:_PREVIEW_CHARS].rstrip() + " …"
        console.print(Text(text))  # Text, not markup: document text must never be read as rich markup


@click.command("search")
@click.argument("question")
@click.option("--k", "k", type=click.IntRange(1, 100), default=None, help="Số đoạn trả về (mặc định 5).")
@click.option("--province", "provinces", multiple=True, help="Chỉ tìm trong tỉnh này (lặp lại để chọn nhiều tỉnh).")
@click.option("--year", "years", type=click.IntRange(1945, 2100), multiple=True, help="Chỉ tìm trong tài liệu về năm này.")
@click.option("--source", "sources", multiple=True, help="Chỉ tìm trong tệp này (tên tệp như khi nạp).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@store_option
@friendly_errors
def search_command(
    question: str,
    k: int | None,
    provinces: tuple[str, ...],
    years: tuple[int, ...],
    sources: tuple[str, ...],
    as_json: bool,
    store_dir: Path | None,
) -> None:
    """Tìm các đoạn văn liên quan nhất tới câu hỏi (tìm kiếm lai từ khóa + ngữ nghĩa)."""
    for value, what in ((question, "Câu hỏi"), *((v, "Tên tỉnh") for v in provinces), *((v, "Tên tệp") for v in sources)):
        check_text(value, what)
    settings = make_settings(store_dir)
    filters = Filters(provinces=canonical_provinces(provinces), years=tuple(years), sources=tuple(sources))
    result = Engine(settings).search(question, k=k, filters=filters)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_human(result)


COMMANDS: list[click.Command] = [search_command]
