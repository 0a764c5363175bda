"""Tab-separated tables (appendices of indicators): one citable row at a time, read with its headers.

A row is rendered as "4. Sản lượng lúa (Triệu tấn) — Nghị quyết năm 2019: 2 · Thực hiện năm 2019: 2,17 · …":
every cell exactly as written, each value labelled by its column header. Rows without a number of
their own ("- Khu vực I", "Trong đó: …") belong to the numbered row above them, which is named in
their context. A header row printed again after a page break is recognised and not read as data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ingest.lines import Line
from core.vietnamese import fold_diacritics, index_key

RowRole = Literal["header", "repeated_header", "data", "label"]

_NUMERIC = re.compile(r"^[\d.,\s%‰+\-–/≤≥<>~]+$")
_STT_HEADER = re.compile(r"^(?:so\s*)?(?:tt|stt|thu\s+tu)\.?$")
_UNIT_HEADER = re.compile(r"^(?:don\s+vi(?:\s+tinh)?|dvt|dv)\.?$")
_GROUP_LABEL = re.compile(r"^(?:trong\s+do|gom|bao\s+gom|chia\s+ra|cu\s+the|chi\s+tiet)\b", re.I)
_SUB_MARKER = re.compile(r"^(?:[-–—+•*]|trong\s+do\b|gom\b|bao\s+gom\b|chia\s+ra\b)", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^>]{0,20}>")
_ROMAN = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zA-Z])\.?$")
# A syllable that reads as a Vietnamese word once lower-cased (keeps GRDP, USD, HĐND, XIV as written).
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)


@dataclass(frozen=True)
class TableRow:
    """One emitted row: its source line, its rendering, its parent rows and its cells by header."""

    line: Line
    text: str
    context: str
    extra: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Columns:
    header: tuple[str, ...]
    stt: int | None
    label: int | None
    unit: int | None

    @property
    def width(self) -> int:
        return len(self.header)

    def values(self) -> list[int]:
        return [i for i in range(self.width) if i not in (self.stt, self.label, self.unit)]


@dataclass
class _Row:
    line: Line
    cells: list[str]
    role: RowRole
    columns: _Columns | None
    sub: bool = False
    has_values: bool = True
    section: "_Row | None" = None   # "I  CHỈ TIÊU KINH TẾ": a lettered/Roman row heading a block of rows
    parent: "_Row | None" = None    # the numbered row a sub-row belongs to
    group: "_Row | None" = None     # "Trong đó," inside that parent
    folded: bool = False


def split_cells(line: Line) -> list[str]:
    return [cell.strip() for cell in line.raw.rstrip("\r").split("\t")]


def _plain(cell: str) -> str:
    return _TAG.sub("", cell).strip()


def _key(cells: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(index_key(_plain(c)).split()) for c in cells if c.strip())


def looks_like_header(cells: Sequence[str]) -> bool:
    filled = [_plain(c) for c in cells if c.strip()]
    return len(filled) >= 2 and not any(_NUMERIC.match(c) for c in filled) and not _SUB_MARKER.match(
        fold_diacritics(filled[0])
    )


def _columns(header: Sequence[str]) -> _Columns:
    keys = [" ".join(fold_diacritics(_plain(h)).lower().split()) for h in header]
    stt = next((i for i, k in enumerate(keys) if _STT_HEADER.match(k)), None)
    unit = next((i for i, k in enumerate(keys) if _UNIT_HEADER.match(k)), None)
    label = next((i for i, k in enumerate(keys) if i not in (stt, unit) and k), None)
    return _Columns(tuple(header), stt, label, unit)


def _align(cells: list[str], width: int) -> list[str]:
    """Cells positioned under a header of `width` columns (extra empty cells at either end dropped)."""
    cells = list(cells)
    while len(cells) > width and cells and not cells[-1]:
        cells.pop()
    while len(cells) > width and cells and not cells[0]:
        cells.pop(0)
    return cells + [""] * (width - len(cells))


def sentence_case(text: str) -> str:
    """"NGHỊ QUYẾT NĂM 2019" → "Nghị quyết năm 2019"; acronyms (GRDP, USD, HĐND) and numerals stay."""
    letters = [c for c in text if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return text
    words = []
    for word in re.split(r"(\s+|/)", text):
        bare = word.strip("()[],.:;")
        lowered = word.lower()
        if bare and bare.isalpha() and not _ROMAN.match(bare) and _SYLLABLE.match(fold_diacritics(bare.lower())):
            words.append(lowered)
        else:
            words.append(word)
    # Capitalise the first letter, and the first after a "/" ("Nghị quyết 2020/ Thực hiện 2019").
    return "/".join(_capitalise(part) for part in "".join(words).split("/"))


def _capitalise(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1:]
    return text


def _head(row: _Row) -> str:
    """The row's name: "4. Sản lượng lúa (Triệu tấn)"."""
    cols = row.columns
    if cols is None:
        return ""
    stt = row.cells[cols.stt] if cols.stt is not None else ""
    label = row.cells[cols.label] if cols.label is not None else ""
    unit = row.cells[cols.unit] if cols.unit is not None else ""
    head = label
    if stt:
        head = f"{stt}. {label}" if re.fullmatch(r"\d+", stt) else f"{stt} {label}"
    if unit:
        head = f"{head} ({unit})"
    return head.strip()


def _render(row: _Row) -> str:
    cols = row.columns
    if cols is None:
        return " · ".join(c for c in row.cells if c)
    parts = [_labelled(cols.header[i], row.cells[i]) for i in cols.values() if row.cells[i]]
    head = _head(row)
    if not parts:
        return head
    return f"{head} — {' · '.join(parts)}" if head else " · ".join(parts)


def _labelled(header: str, cell: str) -> str:
    label = sentence_case(_plain(header))
    return f"{label}: {cell}" if label else cell


def _extra(row: _Row) -> tuple[tuple[str, str], ...]:
    cols = row.columns
    if cols is None:
        return tuple((f"Cột {i + 1}", c) for i, c in enumerate(row.cells) if c)
    return tuple((cols.header[i] or f"Cột {i + 1}", row.cells[i]) for i in range(cols.width) if row.cells[i])


def _context(row: _Row) -> str:
    parts = []
    if row.section is not None:
        parts.append(_head(row.section))
    if row.parent is not None:
        parts.append(_head(row.parent))
    if row.group is not None:
        parts.append(_head(row.group))
    return " › ".join(p for p in parts if p)


def read_table(blocks: Sequence[Sequence[Line]]) -> list[TableRow]:
    """The data rows of one table printed as one or more blocks (a block per page)."""
    rows: list[_Row] = []
    columns: _Columns | None = None
    header_keys: list[tuple[str, ...]] = []  # the header's rows, to recognise them when printed again
    section: _Row | None = None
    parent: _Row | None = None
    group: _Row | None = None
    for block in blocks:
        for position, line in enumerate(block):
            cells = split_cells(line)
            key = _key(cells)
            if key and key in header_keys:
                rows.append(_Row(line, cells, "repeated_header", columns))
                continue
            if position == 0 and looks_like_header(cells) and (columns is None or len(block) > 1):
                columns = _columns(cells)
                header_keys, section, parent, group = [key], None, None, None
                rows.append(_Row(line, cells, "header", columns))
                continue
            if position == 1 and columns is not None and rows and rows[-1].role == "header" and _continues_header(cells, columns):
                # A two-level header: "Năm 2020" spanning "Kế hoạch | Thực hiện".
                columns = _columns(_merge_headers(list(columns.header), _align(cells, columns.width), columns))
                header_keys.append(key)
                rows.append(_Row(line, cells, "header", columns))
                continue
            row = _Row(line, _align(cells, columns.width) if columns else [c for c in cells], "data", columns)
            _attach(row, parent, group)
            if row.sub:
                if not row.has_values and _is_group_label(row):
                    group = row
                    row.role = "label"
            elif _is_section(row):
                section, parent, group = row, None, None
                row.role = "label"
                rows.append(row)
                continue
            else:
                parent, group = row, None
            row.section = section
            rows.append(row)
    _fold(rows)
    return [
        TableRow(r.line, _render(r), _context(r), _extra(r))
        for r in rows
        if r.role in ("data", "label") and not r.folded
    ]


def _continues_header(cells: Sequence[str], columns: _Columns) -> bool:
    """A second header row: only labels, all under the value columns."""
    aligned = _align(list(cells), columns.width)
    filled = [(i, _plain(c)) for i, c in enumerate(aligned) if c.strip()]
    if not filled or any(_NUMERIC.match(c) for _, c in filled):
        return False
    values = set(columns.values())
    return all(i in values for i, _ in filled)


def _merge_headers(top: list[str], bottom: list[str], columns: _Columns) -> list[str]:
    """Column names of a two-level header; a top cell spans the empty cells to its right."""
    merged = []
    carry = ""
    values = set(columns.values())
    for i, (upper, lower) in enumerate(zip(top, bottom, strict=True)):
        if i not in values:
            carry = ""
            merged.append(upper)
            continue
        carry = upper or carry
        merged.append(f"{carry} {lower}".strip() if lower else upper)
    return merged


def _attach(row: _Row, parent: _Row | None, group: _Row | None) -> None:
    cols = row.columns
    if cols is None:
        row.has_values = True
        return
    stt = row.cells[cols.stt] if cols.stt is not None else ""
    label = _plain(row.cells[cols.label]) if cols.label is not None else ""
    row.has_values = any(row.cells[i] for i in cols.values())
    numbered = bool(stt) if cols.stt is not None else not _SUB_MARKER.match(fold_diacritics(label))
    row.sub = not numbered and parent is not None
    if row.sub:
        row.parent = parent
        row.group = group


def _is_section(row: _Row) -> bool:
    """A row numbered with a letter or Roman numeral and no figures: it heads the rows below it."""
    cols = row.columns
    if cols is None or cols.stt is None or row.has_values:
        return False
    return bool(re.fullmatch(r"(?:[IVXLC]+|[A-ZĐ])\.?", row.cells[cols.stt]))


def _is_group_label(row: _Row) -> bool:
    cols = row.columns
    label = _plain(row.cells[cols.label]) if cols and cols.label is not None else ""
    return bool(_GROUP_LABEL.match(fold_diacritics(label))) or label.endswith((":", ","))


def _fold(rows: list[_Row]) -> None:
    """Rows that only name a group ("7. Xây dựng nông thôn mới", "Trong đó,") live on in their children's context."""
    for i, row in enumerate(rows):
        if row.role not in ("data", "label") or row.has_values:
            continue
        nxt = next((r for r in rows[i + 1:] if r.role in ("data", "label")), None)
        if nxt is not None and row in (nxt.section, nxt.parent, nxt.group):
            row.folded = True
