"""`nghiquyet ask "question"` and `nghiquyet ask --batch questions.jsonl --out answers.jsonl`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from nghiquyet.answer.answerer import prepare_question
from nghiquyet.answer.models import Answer, Citation
from nghiquyet.answer.numbers import figure_spans
from nghiquyet.cli.common import (
    canonical_provinces,
    check_text,
    console,
    err_console,
    friendly_errors,
    has_bad_bytes,
    make_settings,
    store_option,
)
from nghiquyet.engine import Engine
from core.errors import NghiquyetError
from retrieval.models import Filters

_PASSAGE_CHARS = 700


# --- human output -----------------------------------------------------------------------------------

def _window(text: str, spans: tuple[tuple[int, int], ...]) -> tuple[int, int]:
    """The part of a long passage to show: around its first highlight."""
    if len(text) <= _PASSAGE_CHARS:
        return 0, len(text)
    first = spans[0][0] if spans else 0
    start = max(0, first - _PASSAGE_CHARS // 4)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    return start, min(len(text), start + _PASSAGE_CHARS)


def passage_text(citation: Citation) -> Text:
    """The cited passage as rich Text (never markup), cited sentence bold, figures highlighted."""
    raw = citation.passage.chunk.text
    a, b = _window(raw, citation.highlights)
    text = Text(("… " if a else "") + raw[a:b] + (" …" if b < len(raw) else ""))
    shift = 2 if a else 0
    for start, end in citation.highlights:
        s, e = max(start, a), min(end, b)
        if e > s:
            text.stylize("bold", s - a + shift, e - a + shift)
            for fs, fe in figure_spans(raw, s, e):
                text.stylize("bold yellow", fs - a + shift, fe - a + shift)
    return text


def _print_answer(answer: Answer) -> None:
    console.print(Text(answer.answer, style="bold" if not answer.refused else "yellow"))
    for note in answer.notes:
        console.print(Text(f"Lưu ý: {note}", style="dim"))
    if answer.fallback_reason:
        console.print(Text(f"(Không dùng câu trả lời của mô hình ngôn ngữ: {answer.fallback_reason})", style="dim"))
    if answer.citations:
        console.print()
        console.print(Text("Nguồn:", style="bold"))
    for citation in answer.citations:
        c = citation.passage.chunk
        doc = c.doc
        meta = " · ".join(
            p for p in (doc.province or "", ", ".join(map(str, doc.years)), c.location, c.source) if p
        )
        console.print(Text.assemble((f"[{citation.n}] ", "bold cyan"), (doc.title or c.source, "bold"), "  ", (meta, "dim")))
        if c.heading_path:
            console.print(Text("    " + " > ".join(c.heading_path), style="italic"))
        console.print(Text("    ").append_text(passage_text(citation)))
    mode = "mô hình ngôn ngữ" if answer.mode == "llm" else "trích xuất"
    console.print(Text(f"({mode}, {answer.latency_ms:.0f} ms)", style="dim"))


def _as_json(answer: Answer) -> dict[str, Any]:
    """`Answer.as_dict()` plus the notes shown to a reader (e.g. a question that was cut)."""
    return {**answer.as_dict(), "notes": list(answer.notes)}


# --- batch ----------------------------------------------------------------------------------------------

_JSON_ERRORS_VI = {
    "Expecting value": "thiếu giá trị",
    "Expecting property name enclosed in double quotes": "tên trường phải đặt trong dấu nháy kép",
    "Expecting ',' delimiter": "thiếu dấu phẩy",
    "Expecting ':' delimiter": "thiếu dấu hai chấm",
    "Unterminated string starting at": "chuỗi chưa đóng nháy",
    "Extra data": "thừa dữ liệu sau đối tượng",
    "Invalid control character at": "có ký tự điều khiển trong chuỗi",
    "Invalid \\escape": "có chuỗi thoát (\\) sai",
}
_LINE_FIX = 'Sửa dòng này thành {"id": ..., "question": "..."} (UTF-8) rồi chạy lại.'


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """One batch line as an object, or what is wrong with it (Vietnamese, with the fix)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"có byte không phải UTF-8 (byte 0x{raw[exc.start]:02x} ở vị trí {exc.start + 1}). Lưu tệp ở dạng UTF-8."
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        why = next((vi for en, vi in _JSON_ERRORS_VI.items() if exc.msg.startswith(en)), "sai cú pháp")
        return None, f"không phải JSON hợp lệ ({why}, cột {exc.colno}). {_LINE_FIX}"
    if not isinstance(item, dict):
        return None, f"mỗi dòng phải là một đối tượng JSON. {_LINE_FIX}"
    if "id" not in item or not isinstance(item.get("question"), str):
        return None, f'thiếu "id" hoặc "question" (chuỗi). {_LINE_FIX}'
    if any(has_bad_bytes(s) for s in _strings(item)):
        return None, "có ký tự không hợp lệ (nửa cặp thay thế UTF-16, ví dụ \\ud800). Gõ lại câu hỏi bằng Unicode."
    return item, None


def _read_batch(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, the object or None, what is wrong with the line or None) for each non-blank line.

    Lines are decoded one by one: a byte that is not UTF-8 spoils its own line, not the file.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NghiquyetError(f"Không đọc được tệp {path}: {exc.strerror or exc}.", "Kiểm tra đường dẫn và quyền đọc.") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        item, problem = _parse_line(raw.rstrip(b"\r"))
        yield number, item, problem


def _line_filters(item: dict[str, Any], base: Filters) -> Filters:
    """The line's own filters; a bad value is a Vietnamese `ValueError` naming the field and the fix."""

    def listed(key: str) -> list[Any]:
        value = item.get(key)
        return [] if value in (None, "") else value if isinstance(value, list) else [value]

    try:
        provinces = canonical_provinces([str(p) for p in listed("province")]) or base.provinces
    except click.BadParameter as exc:
        raise ValueError(f'"province": {exc.message} Dùng tên tỉnh có dấu, ví dụ "Trà Vinh".') from exc
    years: list[int] = []
    for value in listed("year"):
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit() or not 1945 <= int(text) <= 2100:
            raise ValueError(f'"year": {json.dumps(value, ensure_ascii=False)} không phải năm hợp lệ. Ghi năm bằng số, ví dụ "year": 2021.')
        years.append(int(text))
    return Filters(provinces=provinces, years=tuple(years) or base.years, sources=base.sources)


def _run_batch(engine: Engine, path: Path, out: IO[str], filters: Filters, use_llm: bool | None) -> tuple[int, int]:
    items = list(_read_batch(path))
    answered = failed = 0
    with Progress(
        TextColumn("Đang trả lời"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console
    ) as progress:
        task = progress.add_task("ask", total=len(items))
        for number, item, problem in items:
            if item is None:
                err_console.print(Text(f"Dòng {number} của {path.name}: {problem} — bỏ qua.", style="yellow"))
                failed += 1
                progress.advance(task)
                continue
            record: dict[str, Any]
            try:
                answer = engine.ask(item["question"], filters=_line_filters(item, filters), use_llm=use_llm)
                record = {"id": item["id"], **_as_json(answer)}
                answered += 1
            except (NghiquyetError, ValueError) as exc:
                message = exc.user_message() if isinstance(exc, NghiquyetError) else str(exc)
                err_console.print(Text(f"Dòng {number} (id={item['id']}): {message} — bỏ qua.", style="yellow"))
                record = {"id": item["id"], "question": item["question"], "error": message}
                failed += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            progress.advance(task)
    return answered, failed


@click.command("ask")
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="In câu trả lời dạng JSON (một đối tượng).")
@click.option("--province", "provinces", multiple=True, help="Chỉ trả lời từ tài liệu của tỉnh này (lặp lại được).")
@click.option("--year", "years", type=click.IntRange(1945, 2100), multiple=True, help="Chỉ dùng tài liệu về năm này.")
@click.option("--source", "sources", multiple=True, help="Chỉ dùng tệp này (tên tệp như khi nạp).")
@click.option("--llm/--no-llm", "use_llm", default=None, help="Dùng (hoặc không) mô hình ngôn ngữ đã cấu hình.")
@click.option(
    "--batch",
    "batch",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Tệp JSONL, mỗi dòng {"id": ..., "question": ...}.',
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Tệp JSONL ghi câu trả lời (mặc định: màn hình).")
@store_option
@friendly_errors
def ask_command(
    question: str | None,
    as_json: bool,
    provinces: tuple[str, ...],
    years: tuple[int, ...],
    sources: tuple[str, ...],
    use_llm: bool | None,
    batch: Path | None,
    out_path: Path | None,
    store_dir: Path | None,
) -> None:
    """Trả lời câu hỏi kèm trích dẫn nguồn (ví dụ: "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?")."""
    if (question is None) == (batch is None):
        raise click.UsageError('Hãy nêu đúng một trong hai: một câu hỏi, hoặc --batch tệp.jsonl.')
    for value, what in ((question or "", "Câu hỏi"), *((v, "Tên tỉnh") for v in provinces), *((v, "Tên tệp") for v in sources)):
        check_text(value, what)
    settings = make_settings(store_dir)
    filters = Filters(provinces=canonical_provinces(provinces), years=tuple(years), sources=tuple(sources))
    if question is not None:
        prepare_question(question, settings.max_question_chars)  # a bad question fails before models load
    engine = Engine(settings)
    if batch is not None:
        if out_path is not None:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with out_path.open("w", encoding="utf-8") as out:
                answered, failed = _run_batch(engine, batch, out, filters, use_llm)
        else:
            answered, failed = _run_batch(engine, batch, sys.stdout, filters, use_llm)
        summary = f"Đã trả lời {answered} câu hỏi" + (f", {failed} dòng lỗi (xem ở trên)" if failed else "") + "."
        err_console.print(Text(summary + (f" Kết quả: {out_path}" if out_path else "")))
        if failed:
            raise SystemExit(1)  # every good line is answered; the exit code still says not all were
        return
    answer = engine.ask(question or "", filters=filters, use_llm=use_llm)
    if as_json:
        click.echo(json.dumps(_as_json(answer), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


COMMANDS: list[click.Command] = [ask_command]
