"""The source of a cited figure: the passage first, then where it is, what surrounds it, the whole document.

A popover on a phone is a small window: the highlighted passage comes first so it is read without
scrolling; the place reads as officials find it in print ("mục B.I.2, đoạn 80/148", "trang 3");
"Xem toàn văn" opens the document at that passage (`pages/document.py`), in a new tab.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import streamlit as st

from nghiquyet.answer.models import Citation
from nghiquyet.answer.numbers import figure_spans
from nghiquyet.export import passage_place, year_span
from nghiquyet.safe_text import escape_markdown, markdown_block
from pages import common

if TYPE_CHECKING:
    from ingest.models import Chunk
    from nghiquyet.answer.models import Answer
    from nghiquyet.engine import Engine

MARKER = re.compile(r"\[S?\d+\]")  # a citation marker in an answer's plain text
# The answer's own marker, as `safe_text.answer_markdown` draws it.
_DRAWN_MARKER = re.compile(r":blue-background\[\*\*\\\[(\d+)\\\]\*\*\]")


def anchor(chunk: "Chunk") -> str:
    """The full-text page's anchor of a passage (Streamlit scrolls to a heading whose anchor is the URL's #)."""
    return f"doan-{chunk.seq + 1}"


def document_url(chunk: "Chunk") -> str:
    """The full text of the passage's document, opened at the passage (relative: works behind any host)."""
    query = urlencode({"nguon": chunk.source, "doan": chunk.seq + 1})
    return f"./?{query}"


def linked_markers(markdown: str, answer: "Answer") -> str:
    """The answer's [n] markers as links that open their source at the cited passage."""
    by_n = {c.n: c for c in answer.citations}

    def link(m: re.Match[str]) -> str:
        citation = by_n.get(int(m.group(1)))
        if citation is None:
            return m.group(0)
        return f"[**\\[{m.group(1)}\\]**]({document_url(citation.passage.chunk)})"

    return _DRAWN_MARKER.sub(link, markdown)


def passage_markdown(text: str, highlights: Sequence[Sequence[int]]) -> str:
    """The passage with the cited sentence on a coloured background and its figures in bold."""
    figures = [span for start, end in highlights for span in figure_spans(text, start, end)]
    return markdown_block(text, highlights, strong=figures)


def chip_label(citation: Citation, total: int | None) -> str:
    """"[1] Trà Vinh · 2020–2021 · mục B.I.2, đoạn 80/148": which document and where, at a glance."""
    chunk = citation.passage.chunk
    parts = [chunk.doc.province or chunk.doc.title or chunk.source]
    if chunk.doc.years:
        parts.append(year_span(chunk.doc.years).removeprefix("năm "))
    parts.append(passage_place(chunk, total))
    return escape_markdown(f"[{citation.n}] " + " · ".join(parts))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _neighbours(engine: "Engine", chunk: "Chunk") -> tuple["Chunk | None", "Chunk | None"]:
    try:
        chunks = engine.document_chunks(chunk.source)
    except Exception:  # noqa: BLE001 - the passage itself is still shown; the context is a bonus
        common.log.warning("could not read the document around a passage", exc_info=True)
        return None, None
    by_seq = {c.seq: c for c in chunks}
    return by_seq.get(chunk.seq - 1), by_seq.get(chunk.seq + 1)


def citation_popover(engine: "Engine", turn_id: str, citation: Citation, totals: Mapping[str, int]) -> None:
    """A chip; opening it shows the highlighted passage first, then its place, context and document."""
    chunk = citation.passage.chunk
    doc = chunk.doc
    total = totals.get(chunk.source)
    with st.popover(chip_label(citation, total), key=f"cite-{turn_id}-{citation.n}"):
        with st.container(border=True, key=f"passage-{turn_id}-{citation.n}"):
            st.markdown(passage_markdown(chunk.text, citation.highlights))
        where = [f"Tỉnh: {doc.province}"] if doc.province else []
        where.append(f"Vị trí: {passage_place(chunk, total)}")
        st.caption(" · ".join(escape_markdown(w) for w in where))
        st.link_button(
            "Xem toàn văn", document_url(chunk), icon=":material/article:", key=f"fulltext-{turn_id}-{citation.n}",
            help="Mở toàn văn tài liệu ở đúng đoạn này (thẻ mới)",
        )
        if chunk.heading_path:
            st.caption("Mục: " + escape_markdown(" › ".join(chunk.heading_path)))
        before, after = _neighbours(engine, chunk)
        if before is not None or after is not None:
            with st.expander("Đoạn trước và sau"):
                if before is not None:
                    st.caption(escape_markdown(f"Đoạn trước ({passage_place(before, total)})"))
                    st.markdown(markdown_block(before.text))
                if after is not None:
                    st.caption(escape_markdown(f"Đoạn sau ({passage_place(after, total)})"))
                    st.markdown(markdown_block(after.text))
        facts = [doc.title or chunk.source]
        if doc.years:
            facts.append(_first_upper(year_span(doc.years)))
        if doc.doc_type or doc.number:
            # "Nghị quyết 27-NQ/TU": only the first letter raised; a number keeps its capitals.
            facts.append(_first_upper(" ".join(x for x in (doc.doc_type, doc.number) if x)))
        facts.append(f"Tệp: {chunk.source}")
        st.caption(" · ".join(escape_markdown(f) for f in facts))
