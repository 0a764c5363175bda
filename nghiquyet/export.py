"""A conversation as a Markdown file: every question, its answer and the passages it cites.

Officials paste this into minutes and open it in whatever viewer they have, so document text is
escaped here exactly as in the app (`safe_text`): an image or link written in a document stays
characters and loads nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from nghiquyet.answer.models import Citation
from nghiquyet.conversation import Turn
from nghiquyet.safe_text import answer_markdown, escape_markdown, markdown_block, quote_block


def format_seconds(seconds: float) -> str:
    """Vietnamese decimal comma: 0,42 giây."""
    return f"{seconds:.2f}".replace(".", ",") + " giây"


def citation_heading(citation: Citation) -> str:
    """Title · province · years · section · location, each part escaped."""
    chunk = citation.passage.chunk
    doc = chunk.doc
    parts = [doc.title or chunk.source]
    if doc.province:
        parts.append(doc.province)
    if doc.years:
        parts.append(year_span(doc.years))
    if chunk.heading_path:
        parts.append(" › ".join(chunk.heading_path))
    parts.append(chunk.location)
    return " · ".join(escape_markdown(p) for p in parts)


def year_span(years: Sequence[int]) -> str:
    ys = sorted(set(years))
    if not ys:
        return ""
    if len(ys) == 1:
        return f"năm {ys[0]}"
    return f"năm {ys[0]}–{ys[-1]}" if ys == list(range(ys[0], ys[-1] + 1)) else "năm " + ", ".join(map(str, ys))


def _turn_markdown(index: int, turn: Turn) -> list[str]:
    out = [f"## {index}. {escape_markdown(turn.question)}", ""]
    if turn.resolved is not None and turn.resolved.changed:
        out += [f"*Đã tìm:* {escape_markdown(turn.resolved.text)}", ""]
    if turn.error:
        out += [f"**Lỗi:** {escape_markdown(turn.error)}", ""]
        return out
    answer = turn.answer
    if answer is None:
        return out
    if answer.refused:
        out += ["**Không tìm thấy câu trả lời trong tài liệu.**", ""]
    out += [answer_markdown(answer.answer, style="plain"), ""]
    mode = "có dùng LLM" if answer.mode == "llm" else "trích xuất, không dùng LLM"
    out += [f"*Thời gian trả lời: {format_seconds(turn.elapsed_s)} · {mode}*", ""]
    if answer.citations:
        out += ["**Nguồn trích dẫn**", ""]
        for citation in answer.citations:
            chunk = citation.passage.chunk
            out += [
                f"**\\[{citation.n}\\]** {citation_heading(citation)} — tệp {escape_markdown(chunk.source)}",
                "",
                quote_block(markdown_block(chunk.text, citation.highlights, style="plain")),
                "",
            ]
    return out


def conversation_markdown(turns: Sequence[Turn], *, exported_at: datetime | None = None) -> str:
    """The whole conversation, oldest question first."""
    when = (exported_at or datetime.now()).strftime("%d/%m/%Y %H:%M")
    lines = [
        "# Hỏi đáp nghị quyết — nội dung cuộc hội thoại",
        "",
        f"*Xuất lúc {when} · {len(turns)} câu hỏi*",
        "",
    ]
    for i, turn in enumerate(turns, start=1):
        lines += _turn_markdown(i, turn)
    return "\n".join(lines).rstrip() + "\n"
