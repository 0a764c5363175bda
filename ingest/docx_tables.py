"""Tables of a Word document as tab-separated rows, a header over several merged rows as one row."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ingest.office import paragraph_text


def table_rows(tbl: Any) -> list[str]:
    """Tab-separated rows, a header written over several rows (merged cells) as one row.

    Appendix tables put "NGHỊ QUYẾT NĂM" over two columns and "2019" / "2020" in the row below, with
    "CHỈ TIÊU" merged down over both rows: read row by row, the years would be a data row and the
    figures would lose which year they belong to. So the first row's spanning titles are repeated over
    the columns they cover, and rows tied to it by a merge are folded into it, column by column.
    """
    narrow = _narrow_columns(tbl)
    rows = [_drop_columns(_docx_row(tr), narrow) for tr in tbl.iterchildren(_qn("w:tr"))]
    if not rows:
        return []
    width = max(len(r.cells) for r in rows)
    grid = [[c.text for c in r.cells] + [""] * (width - len(r.cells)) for r in rows]
    header_rows = 1
    while header_rows < min(len(rows), 4) and not _has_figure(grid[header_rows]) and (
        rows[header_rows].header or any(c.continued for c in rows[header_rows].cells)
        or any(c.spanning for c in rows[header_rows - 1].cells)
    ):
        header_rows += 1
    out: list[str] = []
    if header_rows > 1:
        header = [""] * width
        for r in range(header_rows):
            for k, cell in enumerate(rows[r].cells):
                text = cell.title
                if text and not header[k].endswith(text):
                    header[k] = f"{header[k]} {text}".strip()
        out.append("\t".join(header))
    else:
        header_rows = 0
    for cells in grid[header_rows:]:
        if any(cells):
            out.append("\t".join(cells))
    return out


@dataclass(frozen=True)
class _DocxCell:
    text: str        # as shown in its own grid column ("" for the columns a span covers)
    title: str       # as a column title: a spanning cell's text repeated over every column it covers
    spanning: bool   # covers several columns
    continued: bool  # the lower part of a cell merged down from the row above


@dataclass(frozen=True)
class _DocxRow:
    cells: list[_DocxCell]
    header: bool     # marked to repeat on every page (w:tblHeader): a header row


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


_FIGURE = re.compile(r"\d")
_YEAR_OR_NUMBER = re.compile(r"\b(?:19|20)\d\d\b|^\(?\d{1,2}\)?$")


def _has_figure(cells: list[str]) -> bool:
    """A row of data: a figure other than a year or a column number ("(4)") in some cell."""
    return any(_FIGURE.search(_YEAR_OR_NUMBER.sub("", cell.strip())) for cell in cells)


def _narrow_columns(tbl: Any) -> set[int]:
    """Grid columns too narrow to hold text (under 1 mm): converters (LibreOffice from RTF) add them
    where cell borders of two rows miss each other by a hair, and every cell then spans one more."""
    grid = tbl.find(_qn("w:tblGrid"))
    if grid is None:
        return set()
    narrow = set()
    for k, col in enumerate(grid.iterchildren(_qn("w:gridCol"))):
        try:
            if int(col.get(_qn("w:w"), "1000")) < 57:  # twips: 1 mm
                narrow.add(k)
        except ValueError:
            continue
    return narrow


def _drop_columns(row: _DocxRow, narrow: set[int]) -> _DocxRow:
    """The row without the narrow grid columns; a cell starting in one moves to the next column it covers."""
    if not narrow:
        return row
    cells = list(row.cells)
    kept: list[_DocxCell] = []
    carried: _DocxCell | None = None
    for k, cell in enumerate(cells):
        if k in narrow:
            if cell.text:
                carried = cell
            continue
        if carried is not None and not cell.text and cell.spanning:
            cell = _DocxCell(carried.text, cell.title, cell.spanning, cell.continued)
        carried = None
        kept.append(cell)
    return _DocxRow(kept, row.header)


def _docx_row(tr: Any) -> _DocxRow:
    cells: list[_DocxCell] = []
    before = tr.find(f"{_qn('w:trPr')}/{_qn('w:gridBefore')}")
    if before is not None:  # grid columns the row leaves empty at its start
        cells.extend(_DocxCell("", "", False, False) for _ in range(int(before.get(_qn("w:val"), "0") or 0)))
    for tc in tr.iterchildren(_qn("w:tc")):
        text = re.sub(r"\s+", " ", " ".join(
            paragraph_text(p).replace("\n", " ").strip() for p in tc.iter(_qn("w:p"))
        )).strip()
        span = tc.find(f"{_qn('w:tcPr')}/{_qn('w:gridSpan')}")
        width = max(int(span.get(_qn("w:val"), "1")) if span is not None else 1, 1)
        merge = tc.find(f"{_qn('w:tcPr')}/{_qn('w:vMerge')}")
        continued = merge is not None and merge.get(_qn("w:val"), "continue") == "continue"
        cells.append(_DocxCell(text, text, width > 1, continued))
        # merged columns keep the header alignment
        cells.extend(_DocxCell("", text, True, continued) for _ in range(width - 1))
    marked = tr.find(f"{_qn('w:trPr')}/{_qn('w:tblHeader')}")
    header = marked is not None and marked.get(_qn("w:val"), "true") not in ("0", "false")
    return _DocxRow(cells, header)
