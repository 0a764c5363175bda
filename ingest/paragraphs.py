"""Line joining: hard-wrapped lines, sentences broken across a paragraph or page break ("mục\\n\\ntiêu"),
line-break hyphens — without ever gluing a heading, list item or table row to its neighbour — and the
text of each page rendered back from the paragraphs."""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from core.genre import DOC_TYPES_FOLDED
from ingest.encoding import is_vietnamese_syllable
from ingest.textlines import (
    CLOSERS,
    TextLine,
    ends_sentence,
    first_letter,
    fold,
    is_caps,
    is_marker,
    is_table_row,
    starts_lower,
)


@dataclass
class _Para:
    segments: list[tuple[str, int]]      # (text, page index); joined with the recorded separators
    separators: list[str] = field(default_factory=list)
    gap: str = "line"
    last_raw: str = ""


def drop_repeats(lines: list[TextLine]) -> list[TextLine]:
    """A line repeated right after itself (a web page's <title> and <h1>) is kept once."""
    out: list[TextLine] = []
    for line in lines:
        if out and line.text == out[-1].text and len(line.text) >= 20 and not is_table_row(line.text):
            continue
        out.append(line)
    return out


def wrap_width(lines: list[TextLine], min_lines: int) -> int | None:
    """Line width of hard-wrapped text (PDF, e-mail), or None when lines are whole paragraphs."""
    lengths = sorted(len(ln.text) for ln in lines if not is_table_row(ln.text))
    if len(lengths) < min_lines:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 160 or width < 50:
        return None
    # Wrapped text has a ragged but tight right margin: most lines end close to the widest ones.
    full = sum(1 for n in lengths if n >= 0.75 * width)
    return width if full / len(lengths) >= 0.5 else None


def join(lines: list[TextLine], width: int | None) -> list[_Para]:
    paras: list[_Para] = []
    for line in lines:
        if paras:
            para = paras[-1]
            glue = None if _ends_title(para, line) else _glue(para.last_raw, line, width)
            if glue is not None:
                separator, drop_hyphen = glue
                if drop_hyphen:
                    text, page = para.segments[-1]
                    para.segments[-1] = (text[:-1], page)
                para.separators.append(separator)
                para.segments.append((line.text, line.page))
                para.last_raw = line.text
                continue
        paras.append(_Para([(line.text, line.page)], gap=line.gap, last_raw=line.text))
    return paras


# How a document's title block starts: a document type ("Nghị quyết …"), or the "về …" line that
# follows a capitals "NGHỊ QUYẾT" heading.
_DOC_TITLE = re.compile(rf"^(?:{DOC_TYPES_FOLDED}|ve )\b")


def _ends_title(para: _Para, line: TextLine) -> bool:
    """Whether `line` starts the body after the document's title block.

    A first-page block of at most three lines, starting with a document type or "về …" and ending
    without punctuation, followed by a capitalised line, is the title ("Nghị quyết … về nhiệm vụ năm
    2020" / "Với mục tiêu …"): in a PDF a full-width title line would otherwise run into the first
    paragraph, and the metadata would lose the title and the years it names.
    """
    texts = [text for text, _ in para.segments]
    return (
        line.page == 0
        and len(texts) <= 3
        and sum(len(t) for t in texts) <= 400
        and not any(ends_sentence(t) for t in texts)
        and bool(_DOC_TITLE.match(fold(texts[0])))
        and not starts_lower(line.text)
        and bool(first_letter(line.text))
    )


_HYPHEN_END = re.compile(r"([^\W\d_]+)-$")


def _glue(prev: str, line: TextLine, width: int | None) -> tuple[str, bool] | None:
    """How `line` continues the paragraph whose last line is `prev`: (separator, drop prev's hyphen), or None."""
    text = line.text
    if is_table_row(prev) or is_table_row(text) or is_marker(text) or not first_letter(text):
        return None
    wrapped = width is not None and line.gap != "blank"
    full = wrapped and width is not None and len(prev) >= 0.6 * width
    if is_caps(text) or is_caps(prev):
        if full and is_caps(text) and is_caps(prev) and not ends_sentence(prev):
            return " ", False  # a capitals heading wrapped over two lines
        return None
    if ends_sentence(prev):
        # Hard-wrapped text: a *full* line ending a sentence is mid-paragraph; a short one ends it.
        if full and width is not None and len(prev) >= 0.85 * width and not prev.rstrip(CLOSERS).endswith(":"):
            return " ", False
        return None
    if starts_lower(text) or full:
        hyphen = _HYPHEN_END.search(prev)
        if hyphen:
            return _dehyphenate(hyphen.group(1), text)
        return " ", False
    return None


def _dehyphenate(left: str, line: str) -> tuple[str, bool]:
    """A line-end hyphen inside one syllable was put there by the typesetter ("tri-/ển" → "triển");
    between two whole words it is a real hyphen or dash and stays ("Ê-/đê", "Covid-/19", "phát-/triển")."""
    match = re.match(r"[^\W\d_]+", line)
    right = match.group(0) if match else ""
    if right and is_vietnamese_syllable(left + right):
        return "", True
    return "", False


_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘(]?[^\W\d_]|\s*$)")


def render(paras: list[_Para], page_count: int) -> list[str]:
    """Text per page. A paragraph that runs onto the next page stays on its first page up to the end
    of the sentence that crosses the boundary; the rest of it opens the next page."""
    out: list[list[str]] = [[] for _ in range(page_count)]

    def emit(page: int, text: str, gap: str) -> None:
        if out[page] and gap == "blank":
            out[page].append("")
        out[page].append(text)

    for para in paras:
        first_page = para.segments[0][1]
        text = para.segments[0][0]
        boundary = None
        for separator, (segment, page) in zip(para.separators, para.segments[1:], strict=True):
            if page != first_page and boundary is None:
                boundary = (len(text) + len(separator), page)
            text += separator + segment
        if boundary is None:
            emit(first_page, text, para.gap)
            continue
        offset, next_page = boundary
        end = _SENTENCE_END.search(text, offset)
        if end is None or end.end() >= len(text.rstrip()):
            emit(first_page, text, para.gap)
            continue
        later_pages = [p for (seg, p), start in _segment_starts(para) if start <= end.end()]
        emit(first_page, text[: end.end()].rstrip(), para.gap)
        emit(later_pages[-1] if later_pages else next_page, text[end.end():].strip(), "line")
    return ["\n".join(lines).strip("\n") for lines in out]


def _segment_starts(para: _Para) -> list[tuple[tuple[str, int], int]]:
    starts = []
    offset = 0
    for i, segment in enumerate(para.segments):
        if i:
            offset += len(para.separators[i - 1])
        starts.append((segment, offset))
        offset += len(segment[0])
    return starts
