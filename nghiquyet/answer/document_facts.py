"""Facts about a document rather than what it says: its number, its date, the session that passed it,
its signer — read from its metadata and its header, and cited where the document writes them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ingest.models import Chunk
from nghiquyet.answer.draft import Citations, Draft
from nghiquyet.answer.selection import NO_KEYS
from nghiquyet.answer.statements import Statement
from nghiquyet.answer.terms import KeyedText
from retrieval.models import Passage

ChunkAt = Callable[[str, int], Chunk | None]
# How far into a document its header reaches (number, date, session lines).
HEADER_CHUNKS = 4
_SESSION = re.compile(r"(?:khóa|khoá)\s+[IVXLC\d]+\s*[-–,]?\s*kỳ họp thứ\s+[\w]+|kỳ họp thứ\s+[\w]+(?:\s*,?\s*(?:khóa|khoá)\s+[IVXLC\d]+)?", re.I)


def _quote(passage: Passage, span: tuple[int, int], written: str) -> Statement:
    text = " ".join(written.split())
    return Statement(
        passage=passage, rank=0, text=text, spans=(span,) if span[1] > span[0] else (),
        role="unknown", years=frozenset(passage.chunk.doc.years), period="", keyed=KeyedText.of(text),
        context=NO_KEYS, has_figure=False,
    )


def _date_pattern(iso: str) -> re.Pattern[str] | None:
    """The ISO date as a document writes it: "ngày 08 tháng 12 năm 2020", "08/12/2020", "8-12-2020"."""
    parts = iso.split("-")
    if len(parts) != 3:
        return None
    y, m, d = parts[0], str(int(parts[1])), str(int(parts[2]))
    sep = r"\s*[/.\-]\s*"
    return re.compile(
        rf"ngày\s+0?{d}\s+tháng\s+0?{m}\s+năm\s+{y}|(?<!\d)0?{d}{sep}0?{m}{sep}{y}(?!\d)", re.I
    )


def _header_passages(passage: Passage, chunk_at: ChunkAt | None) -> list[Passage]:
    """The document's first chunks (its header), then the retrieved passage itself."""
    out = []
    if chunk_at is not None:
        for seq in range(HEADER_CHUNKS):
            chunk = chunk_at(passage.chunk.source, seq)
            if chunk is not None:
                out.append(Passage(chunk=chunk, score=0.0))
    out.append(passage)
    return out


def _find(passages: Sequence[Passage], pattern: re.Pattern[str]) -> tuple[Passage, tuple[int, int], str] | None:
    """Where the document writes it: in a passage (a span to highlight), else in its heading path."""
    for p in passages:
        m = pattern.search(p.chunk.text)
        if m:
            return p, (m.start(), m.end()), m.group(0)
    for p in passages:
        m = pattern.search(" · ".join(p.chunk.heading_path))
        if m:
            return p, (0, 0), m.group(0)
    return None


def document_fact_answer(
    facts: Sequence[str], passages: Sequence[Passage], provinces: Sequence[str], chunk_at: ChunkAt | None
) -> Draft | None:
    """"Nghị quyết số 114/NQ-HĐND [1] … ngày 08 tháng 12 năm 2020 [1] … Khóa IX - Kỳ họp thứ 24 [1]" — each fact
    asked, from the best-ranked document of the asked province that states it; None when none does."""
    for passage in passages:
        doc = passage.chunk.doc
        if provinces and doc.province not in provinces:
            continue
        pool = _header_passages(passage, chunk_at)
        found: list[tuple[str, Passage, tuple[int, int]]] = []
        for fact in facts:
            hit = None
            if fact == "number" and doc.number:
                hit = _find(pool, re.compile(re.escape(doc.number.split()[-1])))
            elif fact == "date" and doc.issue_date:
                pattern = _date_pattern(doc.issue_date)
                hit = _find(pool, pattern) if pattern else None
            elif fact == "session":
                hit = _find(pool, _SESSION)
            elif fact == "signer" and doc.signer:
                hit = _find(pool, re.compile(re.escape(doc.signer)))
            if hit is not None:
                found.append((fact, *hit))
        if not found:
            continue
        cites = Citations()
        parts = []
        for fact, where, span, written in found:
            st = _quote(where, span, written)
            n = cites.cite(st)
            label = {"number": "số hiệu", "date": "ngày", "session": "thông qua tại", "signer": "người ký"}[fact]
            parts.append(f"{label}: {st.text} [{n}]")
        title = " ".join((doc.title or passage.chunk.source).split())
        head = f"{title} ({doc.province or passage.chunk.source})"
        return Draft(text=f"{head} — " + "; ".join(parts) + ".", refused=False, citations=cites.build())
    return None
