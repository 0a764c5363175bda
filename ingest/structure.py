"""The documents' own structure: lines → headings, paragraphs, list items, tables, signature blocks.

Vietnamese resolutions and reports number their sections in a conventional hierarchy
(Phần thứ nhất > A. > I. > 1. > 1.1. > (1) > a)) and also use unnumbered ALL-CAPS or **bold** lines.
The stages live in their own modules: `ingest.lines` (offsets), `ingest.markers` (numbering and
heading shapes), `ingest.title`, `ingest.units` (grouping and numbering sequences); this one builds
the heading tree. Figures in a paragraph are found by `ingest.figures`.

Everything works on offsets into one text, so chunks can point back exactly where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from ingest.figures import has_figure
from ingest.lines import Line, split_lines
from ingest.markers import QUOTES, RANK, SENTENCE_END, clean_heading, detect_marker, is_caps_line
from ingest.title import title_line_indices
from ingest.units import Unit, classify, group_units

ElementKind = Literal["heading", "paragraph", "list_item", "table", "signature", "letterhead"]

_TOP_RANK = -1.0  # unnumbered ALL-CAPS heading after content: a new top-level part (PHỤ LỤC)


@dataclass(frozen=True)
class Element:
    """A structural piece of the document, with the headings above it."""

    kind: ElementKind
    lines: tuple[Line, ...]
    heading_path: tuple[str, ...]
    lead_in: str = ""           # text of a paragraph that introduces this item ("… các chỉ tiêu sau:")
    marker: str | None = None   # marker style of list items / headings
    figure_list: bool = False   # a paragraph that belongs to a run of figures after a lead-in

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end

    @property
    def text(self) -> str:
        """The element as written: its lines stripped, joined by newlines."""
        return "\n".join(line.text for line in self.lines if not line.blank)


# --- heading tree ----------------------------------------------------------------------------------
@dataclass
class _Open:
    """A heading whose section is still open; `used` once some content sits under it."""

    rank: float
    text: str
    used: bool = False


@dataclass
class _Builder:
    elements: list[Element] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)

    def path(self) -> tuple[str, ...]:
        return tuple(h.text for h in self.stack)

    def mark_used(self) -> None:
        for h in self.stack:
            h.used = True


def parse_document(text: str, title: str | None = None) -> list[Element]:
    """The document as a sequence of elements in reading order, each with its heading path.

    Heading lines become elements of kind "heading" only when no content follows them in their
    section (otherwise they live on in the heading paths of what follows). Title lines are dropped:
    the title travels with every chunk in its document metadata.
    """
    return list(_parse(text, title))


@lru_cache(maxsize=4)
def _parse(text: str, title: str | None) -> tuple[Element, ...]:
    # Metadata detection (years in headings) and chunking parse the same text: parse it once.
    lines = split_lines(text)
    units = group_units(lines, title_line_indices(lines, title))
    classify(units)
    units = _join_wrapped_headings(units)
    _resolve_unnumbered(units)
    return tuple(_build(units))


def _join_wrapped_headings(units: list[Unit]) -> list[Unit]:
    """A numbered heading broken over a blank line ("2.6. … sử dụng" / "hiệu quả … đất đai") is one heading."""
    out: list[Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if (
            prev is not None and prev.is_heading and prev.accepted and unit.kind == "text" and unit.candidate is None
            and unit.text[:1].islower() and len(unit.text) <= 200 and not SENTENCE_END.search(unit.text)
            and not SENTENCE_END.search(prev.text) and len(prev.text) + len(unit.text) <= 400
        ):
            prev.lines.extend(unit.lines)
            continue
        out.append(unit)
    return out


def _resolve_unnumbered(units: list[Unit]) -> None:
    """ALL-CAPS, **bold** and "* …" lines are headings when some content follows them."""
    content_after = [False] * (len(units) + 1)
    for j in range(len(units) - 1, -1, -1):
        u = units[j]
        is_content = u.kind == "table" or (
            u.kind == "text" and u.candidate not in ("caps", "bold", "star") and not u.is_heading
        )
        content_after[j] = content_after[j + 1] or is_content
    for j, u in enumerate(units):
        if u.kind == "text" and u.candidate in ("caps", "bold", "star") and not u.accepted:
            u.is_heading = content_after[j + 1]


@dataclass
class _LeadIn:
    """A paragraph ending with ":" and what it introduces: the list that follows, or a run of figures."""

    text: str = ""
    open: bool = False
    paragraphs: int = 0      # paragraphs seen since the lead-in
    in_run: bool = False     # inside a run of figure paragraphs
    listed: bool = False     # list items received it

    def start(self, text: str) -> None:
        self.text, self.open, self.paragraphs, self.in_run, self.listed = text, True, 0, False, False

    def close(self) -> None:
        self.open = False

    def for_list_item(self) -> str:
        if not self.open:
            return ""
        self.listed = True
        return self.text

    def for_paragraph(self, text: str) -> tuple[str, bool]:
        """(context, is part of a figure run) for a paragraph after the lead-in."""
        if not self.open:
            return "", False
        if self.listed:
            self.close()  # the introduced list is over
            return "", False
        self.paragraphs += 1
        if has_figure(text) and len(text) <= 500 and text[:1] not in QUOTES and (self.in_run or self.paragraphs <= 2):
            self.in_run = True
            return self.text, True
        if self.paragraphs == 1 and len(text) <= 500:
            # "Đại hội xác định phương châm là:" + the line it announces; figures may still follow.
            return self.text, False
        if self.in_run or self.paragraphs >= 2:
            self.close()
        return "", False


def _build(units: list[Unit]) -> list[Element]:
    b = _Builder()
    previous_heading: Unit | None = None
    headings: list[tuple[_Open, Unit, tuple[str, ...]]] = []
    lead = _LeadIn()
    item_lead: tuple[str, str] | None = None  # a list item ending with ":" and its marker
    for unit in units:
        if unit.kind in ("rule", "title"):
            continue
        if unit.kind == "letterhead":
            b.elements.append(Element("letterhead", tuple(unit.lines), ()))
            continue
        if unit.kind == "signature":
            b.elements.append(Element("signature", tuple(unit.lines), ()))
            b.stack.clear()  # the body of the document ended with its signature
            previous_heading, item_lead = None, None
            lead.close()
            continue
        if unit.kind == "text" and unit.is_heading:
            rank = _heading_rank(unit, previous_heading, b)
            while b.stack and b.stack[-1].rank >= rank:
                b.stack.pop()
            opened = _Open(rank, clean_heading(unit.text))
            headings.append((opened, unit, b.path()))
            b.stack.append(opened)
            previous_heading, item_lead = unit, None
            lead.close()
            continue
        previous_heading = None
        b.mark_used()
        if unit.kind == "table":
            b.elements.append(Element("table", tuple(unit.lines), b.path()))
            item_lead = None
            lead.close()
            continue
        kind, marker = _content_kind(unit)
        context, figure_run = "", False
        if kind == "list_item":
            key = _marker_key(unit, marker)
            if item_lead is not None and item_lead[1] != key:
                context = item_lead[0]  # "- Nông nghiệp:" over its "+ …" sub-items
            else:
                item_lead = None
                context = lead.for_list_item()
            if unit.text.endswith(":") and len(unit.text) <= 400:
                item_lead = (unit.text, key)
        else:
            item_lead = None
            context, figure_run = lead.for_paragraph(unit.text)
        b.elements.append(Element(kind, tuple(unit.lines), b.path(), context, marker, figure_run))
        if kind == "paragraph" and unit.text.endswith(":") and len(unit.text) <= 400:
            lead.start(unit.text)
    # A heading with nothing under it is content of its own.
    for opened, unit, parents in headings:
        if not opened.used:
            style = unit.marker.style if unit.marker else unit.candidate
            b.elements.append(Element("heading", tuple(unit.lines), parents, marker=style))
    b.elements.sort(key=lambda e: e.start)
    return b.elements


def _heading_rank(unit: Unit, previous_heading: Unit | None, b: _Builder) -> float:
    if unit.accepted:
        return unit.rank
    deepest = b.stack[-1].rank if b.stack else None
    if unit.candidate == "caps" or (unit.candidate == "bold" and is_caps_line(unit.text)):
        if previous_heading is not None and deepest is not None:
            return deepest + 0.5  # a subtitle right under a heading ("Phần thứ nhất" / "KẾT QUẢ …")
        return _TOP_RANK
    # "* Nguyên nhân …", **bold** sentence-case lines: minor headings beside the current numbered item.
    if deepest is None:
        return RANK["num"]
    if previous_heading is not None:
        return deepest + 0.5
    return deepest if deepest >= RANK["num"] else deepest + 0.5


def _marker_key(unit: Unit, style: str | None) -> str:
    """Which list an item belongs to: its numbering style, or its bullet character."""
    return f"bullet:{unit.text[:1]}" if style == "bullet" else style or ""


def _content_kind(unit: Unit) -> tuple[ElementKind, str | None]:
    if unit.accepted:
        return "list_item", unit.marker.style if unit.marker else None
    if unit.candidate == "bullet":
        return "list_item", "bullet"
    if unit.candidate in ("star",):
        return "list_item", "star"
    if (markers := detect_marker(unit.text)) and markers[0].style == "paren":
        return "list_item", "paren"
    return "paragraph", None
