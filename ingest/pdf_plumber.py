"""pdfplumber's reading of a PDF page, where pypdf's falls short: ruled tables, and glyphs out of order.

Ruled tables (cells drawn with borders) are read from the rules themselves.

A table printed from a web page or a word processor has its cell borders drawn as lines: the cells
are exactly the rectangles between them, however the text inside wraps, so a name or a figure
written over two lines stays in its cell. On such tables pdfplumber recovers more rows exactly than
the column positions of pypdf's layout text (benchmarks/pdf_table_bench.py); tables without rules
are left to `ingest.pdf_tables`.

A browser or word processor printing Vietnamese in a font that lacks some letters (ỉ, ị, ế in
Liberation Serif) takes those glyphs from a fallback font, in separate text runs. pypdf writes runs in
drawing order, so the fallback letters land after their words ("CH TIÊU NGH QUY T … Ỉ Ị Ế"); pdfplumber
sorts glyphs by position and reads "CHỈ TIÊU NGHỊ QUYẾT". Such a page is recognised by its words: in
Vietnamese prose nearly every word is one well-formed syllable (≥ 99.7 % in the bundled corpus, 76–81 %
on such a page), and then pdfplumber's text is used. Runs in the PDF child process, like the rest of
PDF reading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from ingest.pdf_tables import MIN_COLUMNS, MIN_ROWS

_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_EDGE = ".,;:()[]{}\"'“”‘’!?…-–—/%*"
MIN_READABLE = 0.9
_MIN_WORDS = 20


def readability(text: str) -> float:
    """Share of the words that are well-formed Vietnamese syllables (or short capitals: GRDP, HĐND)."""
    words = [w.strip(_EDGE) for w in text.split()]
    words = [w for w in words if len(w) >= 2 and w.isalpha()]
    if len(words) < _MIN_WORDS:
        return 1.0  # too few words to judge
    good = sum(1 for w in words if (w.isupper() and len(w) <= 5) or _SYLLABLE.match(_untoned(w.lower())))
    return good / len(words)


def _untoned(word: str) -> str:
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word) if c not in _TONES))


class Plumber:
    """Opens the PDF with pdfplumber the first time a page asks, then keeps it for the others."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._pdf: Any = None
        self._broken = False

    def ruled(self, number: int) -> str | None:
        """Page `number` (1-based) with its ruled tables as tab-separated rows; None if it has none."""
        return self._read(number, page_text)

    def text(self, number: int, *, layout: bool = False) -> str | None:
        """Page `number`'s text in reading order (with `layout`: spaced as on the page, for columns)."""
        # x_density: points per character column; finer than the default 7.25 keeps narrow gaps between columns
        return self._read(number, lambda page: page.extract_text(layout=layout, x_density=3.5) or "")

    def _read(self, number: int, read: Callable[[Any], str | None]) -> str | None:
        if self._broken:
            return None
        try:
            if self._pdf is None:
                import pdfplumber

                self._pdf = pdfplumber.open(self._path)
            return read(self._pdf.pages[number - 1])
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - pdfminer fails its own ways on odd files: pypdf's reading stands
            self._broken = True
            return None


def page_text(page: Any) -> str | None:
    """The text of the page in reading order, each ruled table replaced by its rows."""
    tables = [t for t in page.find_tables(_SETTINGS) if _is_table(t)]
    if not tables:
        return None
    tables.sort(key=lambda t: t.bbox[1])
    parts: list[str] = []
    top = 0.0
    for table in tables:
        x0, y0, x1, y1 = table.bbox
        if y0 > top:
            parts.append(_text_between(page, top, y0))
        parts.append("\n".join("\t".join(_cell(c) for c in row) for row in table.extract() if any(row)))
        top = y1
    parts.append(_text_between(page, top, float(page.height)))
    return "\n".join(part for part in parts if part.strip())


def _is_table(table: Any) -> bool:
    rows = table.extract()
    return len(rows) >= MIN_ROWS - 1 and max((len(r) for r in rows), default=0) >= MIN_COLUMNS


def _text_between(page: Any, top: float, bottom: float) -> str:
    if bottom - top < 1:
        return ""
    region = page.within_bbox((0, max(top, 0), float(page.width), min(bottom, float(page.height))))
    return region.extract_text() or ""


def _cell(text: str | None) -> str:
    return " ".join((text or "").split())  # a cell wrapped over lines is one cell
