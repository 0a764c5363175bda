"""Chunking by the documents' own structure: one indicator, one table row, one paragraph at a time.

What counts as "lossless" (the tests check exactly this):
- chunks come in reading order, their spans [start, end) into the repaired text never overlap;
- a paragraph, list-item, heading or signature chunk is the text of its span with each line stripped
  and blank lines dropped (so `" ".join(chunk.text.split()) == " ".join(text[start:end].split())`);
- a table-row chunk's span is its source line, and every non-empty cell of that line appears in the
  chunk's text, in order;
- whatever lies outside every span is whitespace, separator lines without letters or digits, the
  title, heading lines (each is in the heading path of the chunks under it) and table lines that only
  label other rows (header rows, "Trong đó," rows — found in the column labels or context of the rows
  that follow);
- except in a document of at most `SHORT_DOCUMENT_LINES` lines: there a line read as the title or a
  heading is also a passage, since it is most of what the document says ("GRDP tăng 11%" + one line).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence

from ingest.figures import has_figure, strip_marker
from ingest.models import Chunk, ChunkKind, DocumentMeta, Page
from ingest.structure import Element, parse_document
from ingest.tables import read_table

PAGE_SEPARATOR = "\n\n"
MIN_CHUNK_CHARS = 200
SHORT_DOCUMENT_LINES = 3

# Words that end with a dot without ending a sentence ("TP. Hồ Chí Minh", "ThS. Nguyễn …").
_ABBREVIATIONS = frozenset(
    "tp tx tt th ths ts pgs gs bs ks cn q p h x st mr mrs dr v.v vv tr đ/c ô nxb no tel đt k/g kg".split()
)
_SENTENCE_GAP = re.compile(r"[.!?…]+[”\"’»)\]]*(\s+)")
_CLAUSE_GAP = re.compile(r";(\s+)")
_COMMA_GAP = re.compile(r",(\s+)")
_SPACE_GAP = re.compile(r"(\s+)")


def join_pages(pages: Sequence[Page]) -> tuple[str, tuple[int, ...]]:
    """The document text (pages joined by a blank line) and the offset where each page starts."""
    starts: list[int] = []
    pos = 0
    for i, page in enumerate(pages):
        if i:
            pos += len(PAGE_SEPARATOR)
        starts.append(pos)
        pos += len(page.text)
    return PAGE_SEPARATOR.join(p.text for p in pages), tuple(starts)


def chunk_document(pages: list[Page], meta: DocumentMeta, max_chars: int) -> list[Chunk]:
    """Split a repaired document into citable chunks along its own headings, lists and tables."""
    if max_chars < MIN_CHUNK_CHARS:
        raise ValueError(f"max_chars={max_chars}: chunks need at least {MIN_CHUNK_CHARS} characters")
    text, starts = join_pages(pages)
    page_numbers = [p.page for p in pages]

    def page_at(offset: int) -> int | None:
        if not page_numbers:
            return None
        return page_numbers[max(0, bisect.bisect_right(starts, offset) - 1)]

    drafts: list[tuple[int, int, str, ChunkKind, tuple[str, ...], str, tuple[tuple[str, str], ...]]] = []
    elements = parse_document(text, meta.title)
    i = 0
    while i < len(elements):
        element = elements[i]
        if element.kind == "table":
            # Consecutive table blocks under the same headings are one table broken by page breaks.
            j = i
            while j + 1 < len(elements) and elements[j + 1].kind == "table" and elements[j + 1].heading_path == element.heading_path:
                j += 1
            for row in read_table([e.lines for e in elements[i:j + 1]]):
                drafts.append((row.line.start, row.line.end, row.text, "table_row", element.heading_path, row.context, row.extra))
            i = j + 1
            continue
        kind = _kind(element)
        for a, b in split_span(text, element.start, element.end, max_chars):
            drafts.append((a, b, _span_text(text, a, b), kind, element.heading_path, element.lead_in, ()))
        i += 1
    drafts.extend(_uncovered_lines(text, drafts))
    drafts.sort(key=lambda d: d[0])

    chunks = []
    for seq, (a, b, body, kind, path, context, extra) in enumerate(drafts):
        chunks.append(Chunk(
            text=body, source=meta.source, heading_path=path, page=page_at(a), kind=kind, seq=seq,
            doc=meta, start=a, end=b, context=context, extra=extra,
        ))
    return chunks


def _uncovered_lines(
    text: str, drafts: Sequence[tuple[int, int, str, ChunkKind, tuple[str, ...], str, tuple[tuple[str, str], ...]]]
) -> list[tuple[int, int, str, ChunkKind, tuple[str, ...], str, tuple[tuple[str, str], ...]]]:
    """In a short document, the lines no chunk covers (read as title or heading) as passages of their own."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if any(ch.isalnum() for ch in m.group())]
    if len(lines) > SHORT_DOCUMENT_LINES:
        return []
    spans = [(a, b) for a, b, *_ in drafts]
    out: list[tuple[int, int, str, ChunkKind, tuple[str, ...], str, tuple[tuple[str, str], ...]]] = []
    for start, end in lines:
        if not any(a < end and start < b for a, b in spans):
            a = start + len(text[start:end]) - len(text[start:end].lstrip())
            b = end - (len(text[start:end]) - len(text[start:end].rstrip()))
            out.append((a, b, text[a:b], "paragraph", (), "", ()))
    return out


def _kind(element: Element) -> ChunkKind:
    if element.kind == "heading":
        return "heading"
    if element.kind == "list_item":
        return "indicator" if has_figure(strip_marker(element.text)) else "list_item"
    if element.figure_list:
        return "indicator"
    return "paragraph"


def _span_text(text: str, start: int, end: int) -> str:
    """The span as written, each line stripped, blank lines dropped."""
    return "\n".join(line.strip() for line in text[start:end].split("\n") if line.strip())


# --- long passages ---------------------------------------------------------------------------------
def split_span(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """[start, end) cut at sentence boundaries into pieces of at most `max_chars` (balanced in size).

    Falls back to clause (;), then comma, then word boundaries for a sentence longer than the cap; a
    cut never falls inside a number ("6.150,1"), a range ("1.100 - 1.200") or after an abbreviation.
    """
    if end - start <= max_chars:
        return [(start, end)]
    segments = _segments(text, start, end, max_chars, level=0)
    total = end - start
    target = total / math.ceil(total / max_chars)
    pieces: list[tuple[int, int]] = []
    cur_a, cur_b = segments[0]
    for a, b in segments[1:]:
        fits = b - cur_a <= max_chars
        if fits and (cur_b - cur_a < 0.9 * target or b - cur_a <= 1.1 * target):
            cur_b = b
        else:
            pieces.append((cur_a, cur_b))
            cur_a, cur_b = a, b
    pieces.append((cur_a, cur_b))
    return pieces


_LEVELS = (_SENTENCE_GAP, _CLAUSE_GAP, _COMMA_GAP, _SPACE_GAP)


def _segments(text: str, start: int, end: int, max_chars: int, level: int) -> list[tuple[int, int]]:
    """Spans of sentences (or smaller units for over-long sentences), without the blanks between them."""
    if end - start <= max_chars or level >= len(_LEVELS):
        return [(start, end)]
    cuts = [c for c in _gaps(text, start, end, _LEVELS[level]) if start < c[0] and c[1] < end]
    if not cuts:
        return _segments(text, start, end, max_chars, level + 1)
    spans = []
    a = start
    for gap_start, gap_end in cuts:
        spans.append((a, gap_start))
        a = gap_end
    spans.append((a, end))
    out: list[tuple[int, int]] = []
    for a, b in spans:
        out.extend(_segments(text, a, b, max_chars, level + 1) if b - a > max_chars else [(a, b)])
    return out


def _gaps(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Whitespace runs [a, b) where `pattern` allows a cut."""
    found = []
    for m in pattern.finditer(text, start, end):
        a, b = m.span(1)
        before, after = text[max(start, a - 12):a], text[b:b + 3]
        if pattern is _SENTENCE_GAP and not _sentence_break(before, after):
            continue
        if pattern is _SPACE_GAP and _inside_number(before, after):
            continue
        found.append((a, b))
    return found


def _sentence_break(before: str, after: str) -> bool:
    nxt = after.lstrip("“\"‘«([")[:1]
    if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "-–•+"):
        return False
    word = re.search(r"(\S+?)[.!?…]*[”\"’»)\]]*$", before)
    token = word.group(1).lower() if word else ""
    if token in _ABBREVIATIONS:
        return False
    return not (len(token) == 1 and token.isalpha())  # an initial: "Nguyễn V. An"


def _inside_number(before: str, after: str) -> bool:
    """A space inside "1.100 - 1.200", "8,5 – 9%" or "23 888": do not cut there."""
    left, right = before.rstrip()[-1:], after.lstrip()[:1]
    return (left.isdigit() or left in "-–") and (right.isdigit() or right in "-–%")
