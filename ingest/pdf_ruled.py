"""Ruled tables in PDFs (cells drawn with borders), read by pdfplumber from the rules themselves.

A table printed from a web page or a word processor has its cell borders drawn as lines: the cells
are exactly the rectangles between them, however the text inside wraps, so a name or a figure
written over two lines stays in its cell. On such tables pdfplumber recovers more rows exactly than
the column positions of pypdf's layout text (benchmarks/pdf_table_bench.py); tables without rules
are left to `ingest.pdf_tables`. Runs in the PDF child process, like the rest of PDF reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.pdf_tables import MIN_COLUMNS, MIN_ROWS

_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


class RuledTables:
    """Opens the PDF with pdfplumber the first time a page asks, then keeps it for the others."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._pdf: Any = None
        self._broken = False

    def page(self, number: int) -> Callable[[], str | None]:
        return lambda: self.text(number)

    def text(self, number: int) -> str | None:
        """Page `number` (1-based) with its ruled tables as tab-separated rows; None if it has none."""
        if self._broken:
            return None
        try:
            if self._pdf is None:
                import pdfplumber

                self._pdf = pdfplumber.open(self._path)
            return page_text(self._pdf.pages[number - 1])
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - pdfminer fails its own ways on odd files: layout mode takes over
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
