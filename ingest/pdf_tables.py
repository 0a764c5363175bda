"""Tables in PDFs: columns recovered from pypdf's layout text and written as tab-separated rows.

pypdf's plain extraction writes a table row as one run of words ("4 Sản lượng lúa Triệu tấn 2 2,17 2
92,17"): which figure belongs to which column ("Thực hiện năm 2019") is lost, and an appendix table of
indicators is exactly what officials ask about. Its layout mode keeps each glyph's horizontal position
as spaces, so columns are the runs of text separated by wide gaps, aligned from line to line.

`tabulate_layout` turns a page's layout text into the text the rest of ingestion expects: table rows
as tab-separated cells (as in the bundled text files, so `ingest.tables` reads them the same way), a
header written over several lines merged per column, a label wrapped over several lines joined to its
row, and every other line with its spacing collapsed. A page without a confident table is left alone
(None): the plain extraction stays the source of its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"\S+(?: {1,2}\S+)*")  # words apart by at most two spaces; wider gaps separate cells
_NUMBER_CELL = re.compile(
    r"^(?:(?:từ|trên|dưới|khoảng|đạt|tăng|giảm)\s+)?[-–+≥≤<>~]?\s*\d[\d.,]*"
    r"(?:\s*[-–]\s*\d[\d.,]*)?\s*(?:%|‰)?(?:\s+(?:trở lên|trở xuống))?$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_STT = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]?$")
MIN_ROWS = 3        # data rows a table needs before a page's layout text is trusted
MIN_COLUMNS = 3
_GAP_LINES = 6      # data rows further apart than this start another table
_HEADER_LINES = 6   # lines above the first data row that may hold its header

Columns = list[tuple[int, int]]  # (first, last + 1) character position of each column in the layout text


@dataclass(frozen=True)
class _Cell:
    start: int
    end: int
    text: str


def _cells(line: str) -> list[_Cell]:
    return [_Cell(m.start(), m.end(), " ".join(m.group().split())) for m in _CELL.finditer(line)]


def _is_number(text: str) -> bool:
    return bool(_NUMBER_CELL.match(text))


def _is_data_row(cells: list[_Cell]) -> bool:
    """A line of a table body: several cells, at least two of them figures (besides a row number).

    Bare years do not count: a header written over two lines ends with one ("… NĂM" / "2019")."""
    figures = [
        c for i, c in enumerate(cells)
        if _is_number(c.text) and not _YEAR.match(c.text) and not (i == 0 and _STT.match(c.text))
    ]
    return len(cells) >= MIN_COLUMNS and len(figures) >= 2


def _columns(rows: list[list[_Cell]]) -> Columns:
    """Column extents: the connected parts of the union of the data rows' cell extents."""
    spans = sorted((c.start, c.end) for row in rows for c in row)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _column_of(cell: _Cell, columns: Columns) -> int:
    """The column the cell overlaps most; the nearest one when it overlaps none (a wide header)."""
    best, best_overlap = 0, -1
    for i, (a, b) in enumerate(columns):
        overlap = min(b, cell.end) - max(a, cell.start)
        if overlap > best_overlap:
            best, best_overlap = i, overlap
    if best_overlap > 0:
        return best
    centre = (cell.start + cell.end) / 2
    return min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))


def _clashes(row: list[_Cell], columns: Columns) -> bool:
    """Two cells of the row fall into one column."""
    return len({_column_of(c, columns) for c in row}) < len(row)


def _aligned(rows: list[list[_Cell]], columns: Columns) -> bool:
    """Whether the rows really share columns: in text that only has wide spaces (a row wrapped like
    prose), cells of one row land in the same "column" and the columns are few and wide."""
    return sum(1 for row in rows if _clashes(row, columns)) <= len(rows) // 5


def _place(cells: list[_Cell], columns: Columns) -> list[str]:
    out = [""] * len(columns)
    for cell in cells:
        i = _column_of(cell, columns)
        out[i] = f"{out[i]} {cell.text}".strip()
    return out


def _regions(lines: list[list[_Cell]]) -> list[list[int]]:
    """Line numbers of the data rows of each table on the page (rows close together)."""
    data = [i for i, cells in enumerate(lines) if _is_data_row(cells)]
    groups: list[list[int]] = []
    for i in data:
        if groups and i - groups[-1][-1] <= _GAP_LINES:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


@dataclass(frozen=True)
class Grid:
    """A table's columns and which of them holds the indicator's name."""

    columns: Columns
    label: int

    def place(self, cells: list[_Cell]) -> list[str]:
        return _place(cells, self.columns)

    def label_only(self, cells: list[_Cell]) -> bool:
        """A line holding text in the label column only: part of a wrapped name, or a section row."""
        placed = self.place(cells)
        return bool(cells) and [k for k, text in enumerate(placed) if text] == [self.label]

    def header_like(self, cells: list[_Cell]) -> bool:
        """A line of column titles: text outside the label column and no figure but years."""
        if not cells or _is_data_row(cells) or self.label_only(cells):
            return False
        placed = self.place(cells)
        others = [t for k, t in enumerate(placed) if t and k != self.label]
        return bool(others) and all(not _is_number(t) or _YEAR.match(t) for t in others)


def _merge(rows: list[list[str]]) -> list[str]:
    out = [""] * len(rows[0])
    for row in rows:
        for k, text in enumerate(row):
            out[k] = f"{out[k]} {text}".strip()
    return out


def _header(lines: list[list[_Cell]], first: int, grid: Grid) -> tuple[int, list[str] | None]:
    """(first line of the header, header cells) from the column titles just above the body."""
    start, i, blanks = first, first - 1, 0
    while i >= 0 and first - i <= _HEADER_LINES:
        if not lines[i]:
            blanks += 1
            if blanks > 1 or start < first:  # one blank line may separate the header from the body
                break
        elif grid.header_like(lines[i]):
            start = i
        else:
            break
        i -= 1
    if start == first:
        return first, None
    return start, _merge([grid.place(cells) for cells in lines[start:first] if cells])


def _starts_lower(text: str) -> bool:
    return bool(text) and text[0].islower()


def _body(lines: list[list[_Cell]], first: int, last: int, grid: Grid) -> tuple[list[list[str]], int]:
    """Logical rows of the lines `first`..`last` (and the end of a name wrapped below the last row),
    and the last line used. A name wrapped over several lines joins its row; column titles repeated
    inside the table (a header carried over) become one row again."""
    label = grid.label
    out: list[list[str]] = []
    pending: list[str] = []  # name lines waiting for the row below them
    titles: list[list[str]] = []
    prev = -10  # the last line that went into `out`
    i = first
    while i < len(lines):
        cells = lines[i]
        if not cells:
            i += 1
            continue
        if i > last and not (grid.label_only(cells) and i == prev + 1 and _starts_lower(grid.place(cells)[label])):
            break
        if grid.header_like(cells):
            titles.append(grid.place(cells))
            i += 1
            continue
        if titles:
            out.append(_merge(titles))
            titles = []
        placed = grid.place(cells)
        name = placed[label]
        if grid.label_only(cells):
            below = lines[i + 1] if i + 1 < len(lines) else []
            below_name = grid.place(below)[label] if below else ""
            if below and _is_data_row(below) and (not below_name or _starts_lower(below_name)):
                pending.append(name)  # the first line(s) of the name of the row below
            elif out and i == prev + 1 and _starts_lower(name):
                out[-1][label] = f"{out[-1][label]} {name}"  # the name goes on below its figures
                prev = i
            else:
                out.append(placed)  # a section row without figures ("7. Xây dựng nông thôn mới")
                prev = i
            i += 1
            continue
        if pending:
            placed[label] = " ".join([*pending, name]).strip()
            pending = []
        out.append(placed)
        prev = i
        i += 1
    if titles:
        out.append(_merge(titles))
    return out, max(prev, last)


def _label_column(rows: list[list[str]]) -> int:
    """The column with the most words: the indicator's name."""
    width = len(rows[0]) if rows else 0
    return max(range(width), key=lambda k: sum(len(r[k].split()) for r in rows if not _is_number(r[k]))) if width else 0


def _fits(rows: list[list[_Cell]], columns: Columns) -> bool:
    """Every cell of these rows lies in one of `columns`, no two of a row in the same one."""
    for row in rows:
        if _clashes(row, columns):
            return False
        for cell in row:
            a, b = columns[_column_of(cell, columns)]
            if min(b, cell.end) <= max(a, cell.start):
                return False
    return True


_NO_VALUE = frozenset({"-", "–", "—", "x", "X", "...", "…"})  # written where a year has no figure


def _figure_columns(rows: list[list[str]], label: int) -> set[int]:
    """Columns whose filled cells are mostly figures: the values of the table."""
    out = set()
    for k in range(len(rows[0]) if rows else 0):
        filled = [r[k] for r in rows if r[k] and k != label]
        if filled and sum(_is_number(c) for c in filled) * 2 > len(filled):
            out.add(k)
    return out


def _clean(row: list[str], figures: set[int], label: int) -> bool:
    """A row read without doubt: every figure a whole cell ("Từ 7,5 trở lên", not "Từ 7,5 trở" with
    "lên" on the next row), no words in a column of figures. Column titles repeated inside the table
    (a header carried over, with its years) pass. Anything else is indexed as plain text, so an answer
    never reads cells of two columns or two rows as one figure."""
    if all(not cell for k, cell in enumerate(row) if k != label):
        return True  # a section row: a name only
    for k, cell in enumerate(row):
        if not cell or k == label or (k == 0 and _STT.match(cell)):
            continue
        if _YEAR.search(cell.split()[-1]) and not any(_is_number(c) and not _YEAR.match(c) for c in row):
            continue  # a title with its year ("NGHỊ QUYẾT NĂM 2020") in a repeated header
        if k in figures and not _is_number(cell) and cell not in _NO_VALUE:
            return False
        if k not in figures and re.search(r"\d", cell) and not _is_number(cell):
            return False
    return True


def tabulate_layout(layout: str, known: Grid | None = None) -> tuple[str | None, Grid | None]:
    """The page's text with its tables as tab-separated rows (None when it has no confident table),
    and the grid (columns, name column) of its last table.

    A table needs MIN_ROWS data rows to be trusted, unless its rows fit the columns of a table already
    trusted (`known`: on an earlier page, or higher on this one) — the last rows of a table that runs
    onto the next page, or a part after a header repeated mid-page.
    """
    raw = layout.split("\n")
    lines = [_cells(line) for line in raw]
    replaced: dict[int, list[str]] = {}  # first line of a table → its rows; its other lines are dropped
    dropped: set[int] = set()
    for rows in _regions(lines):
        data = [lines[i] for i in rows]
        if len(rows) < MIN_ROWS:
            if known is None or not _fits(data, known.columns):
                continue
            grid = known
        else:
            columns = _columns(data)
            if len(columns) < MIN_COLUMNS or not _aligned(data, columns):
                continue
            grid = Grid(columns, _label_column([_place(row, columns) for row in data]))
        known = grid
        columns = grid.columns
        first = rows[0]
        while first > 0 and grid.label_only(lines[first - 1]):  # a name wrapped above the first row
            first -= 1
        top, header = _header(lines, first, grid)
        body, end = _body(lines, first, rows[-1], grid)
        table = ([header] if header else []) + body
        keep = [k for k in range(len(columns)) if any(r[k] for r in table)]
        figures = _figure_columns(body, grid.label)
        replaced[top] = [
            "\t".join(r[k] for k in keep) if r is header or _clean(r, figures, grid.label) else " ".join(c for c in r if c)
            for r in table
        ]
        dropped.update(range(top, end + 1))
    if not replaced:
        return None, known
    out: list[str] = []
    for i, line in enumerate(raw):
        if i in replaced:
            out.extend(replaced[i])
        elif i not in dropped:
            out.append(" ".join(line.split()))
    return "\n".join(out), known
