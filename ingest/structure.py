"""The documents' own structure: lines → headings, paragraphs, list items, tables, signature blocks.

Vietnamese resolutions and reports number their sections in a conventional hierarchy
(Phần thứ nhất > A. > I. > 1. > 1.1. > (1) > a)) and also use unnumbered ALL-CAPS or **bold** lines.
A line that merely starts like a marker ("2020 là năm …", "2.3 triệu tấn …") is not a heading: a
numbered line counts only when it continues a sequence (1., 2., 3. …), and a numbered sequence is a
list of items rather than headings when its items have no body of their own.

Everything works on offsets into one text, so chunks can point back exactly where they came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from core.vietnamese import fold_diacritics, index_key

ElementKind = Literal["heading", "paragraph", "list_item", "table", "signature", "letterhead"]

# --- markers --------------------------------------------------------------------------------------
# Fixed ranks follow the usual hierarchy of Vietnamese administrative documents; lower is higher.
RANK = {
    "part": 0.0, "chapter": 1.0, "section": 2.0, "upper": 3.0, "roman": 4.0, "article": 5.0,
    "num": 6.0, "multi": 7.0, "paren": 10.0, "lower": 11.0,
}
_TOP_RANK = -1.0  # unnumbered ALL-CAPS heading after content: a new top-level part (PHỤ LỤC)

_ROMAN_RE = r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_VI_ORDINALS = {
    "nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese alphabetical order used for a) b) c) …
_LATIN = "abcdefghijklmnopqrstuvwxyz"

_PART = re.compile(r"^(?:phan)\s+(?:thu\s+(\w+)|(" + _ROMAN_RE.lower() + r"|\d{1,2}))\b\s*[.:\-–]?", re.I)
_CHAPTER = re.compile(r"^chuong\s+(" + _ROMAN_RE.lower() + r"|\d{1,2})\b", re.I)
_SECTION = re.compile(r"^muc\s+(" + _ROMAN_RE.lower() + r"|\d{1,2})\s*[.:\-–]", re.I)
_ARTICLE = re.compile(r"^dieu\s+(\d{1,3})\s*[.:]", re.I)
_ROMAN = re.compile(r"^(" + _ROMAN_RE + r")\s*[.\-–)/]\s*(?=\S)")
_UPPER = re.compile(r"^([A-ZĐ])\s*[.\-–)/]\s+(?=\S)")
_MULTI = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?(?:\s+|(?=[^\W\d_]))(?=\S)")
_NUM = re.compile(r"^(\d{1,2})\s*[.\-–)/](?:\s+(?=\S)|(?=[^\W\d_]))")
_PAREN = re.compile(r"^(?:[-–—+•]\s*)?\((\d{1,2})\)\s*(?=\S)")
_LOWER = re.compile(r"^([a-zđ])\s*[)./](?:\s+)(?=\S)")
_BULLET = re.compile(r"^[-–—+•●▪◦∙‣·►✓]\s*(?=\S)")
_STAR = re.compile(r"^\*(?!\*)\s*(?=\S)")
_QUOTES = "“\"«‘'„"
_SENTENCE_END = re.compile(r"[.;!?…]\s*[”\"»)]*$")
_HAS_ALNUM = re.compile(r"[^\W_]")

# Signature and recipient blocks at the end of an official document.
_SIGNATURE_START = re.compile(r"^(?:noi\s+nhan\b|t/m\b|tm\s*[.:]|tm\s|kt\s*[.:]|kt\s|k/t\b|tuq\s*[.:]|ttl\s*[.:])", re.I)
_ROLE = re.compile(
    r"^(?:t/m|tm|kt|k/t|tuq|ttl)?[\s.]*(?:pho\s+)?(?:bi\s+thu|chu\s+tich|giam\s+doc|truong\s+ban|chanh\s+van\s+phong"
    r"|thu\s+truong|tong\s+bi\s+thu|uy\s+vien|truong\s+phong|tinh\s+uy|thuong\s+truc|ban\s+thuong\s+vu"
    r"|ban\s+chap\s+hanh|ubnd|hdnd|uy\s+ban\s+nhan\s+dan|hoi\s+dong\s+nhan\s+dan)\b",
    re.I,
)
_SIGNED = re.compile(r"^\(?\s*(?:da\s+ky|ky\s+ten|ky|da\s+ky\s+va\s+dong\s+dau)\s*\)?$", re.I)


@dataclass(frozen=True)
class Line:
    """One physical line: `start`/`end` bound its text without surrounding blanks; `raw` keeps tabs."""

    start: int
    end: int
    text: str          # stripped
    raw: str           # the line without the document's common indentation (tabs kept: table cells)

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class Marker:
    style: str
    value: tuple[int, ...]


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


@dataclass
class _Unit:
    kind: str                      # heading candidate kinds resolved later
    lines: list[Line]
    marker: Marker | None = None
    candidate: str | None = None   # "numbered" | "caps" | "bold" | "star" | "bullet"
    rank: float = 0.0
    is_heading: bool = False
    accepted: bool = False         # numbered marker continues a sequence

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines if not line.blank)


# --- lines -----------------------------------------------------------------------------------------
def split_lines(text: str) -> list[Line]:
    """Lines with offsets; the indentation common to every non-blank line is removed from `raw`."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in text.split("\n"):
        spans.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    indent = _common_indent([text[a:b] for a, b in spans])
    lines = []
    for a, b in spans:
        body = text[a:b].rstrip("\r")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            trail = len(body.rstrip())
            lines.append(Line(a + lead, a + trail, stripped, body[indent:]))
        else:
            lines.append(Line(a, a, "", ""))
    return lines


def _common_indent(lines: list[str]) -> int:
    prefixes = [len(l) - len(l.lstrip("\t")) for l in lines if l.strip()]
    return min(prefixes) if prefixes else 0


def is_table_line(line: Line) -> bool:
    """A line with a tab between two pieces of text: a row of a tab-separated table."""
    return "\t" in line.raw.strip(" \t\r") or (line.raw.count("\t") >= 2 and not line.blank)


# --- markers ---------------------------------------------------------------------------------------
def _roman_value(token: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(token):
        v = values[ch]
        total += -v if i + 1 < len(token) and values[token[i + 1]] > v else v
    return total


def _letter_value(ch: str) -> int:
    ch = ch.lower()
    return _LETTERS.index(ch) + 1 if ch in _LETTERS else _LATIN.index(ch) + 1


def _strip_bold(text: str) -> str:
    return text.strip().removeprefix("**").strip()


def detect_marker(text: str) -> list[Marker]:
    """Possible numbering markers at the start of a stripped line, most specific first."""
    s = _strip_bold(text)
    folded = fold_diacritics(s[:24])  # markers are short: no need to fold a whole paragraph
    found: list[Marker] = []
    if m := _PART.match(folded):
        word, number = m.group(1), m.group(2)
        value = _VI_ORDINALS.get(word.lower()) if word else (
            int(number) if number.isdigit() else _roman_value(number.upper())
        )
        if value:
            found.append(Marker("part", (value,)))
    if m := _CHAPTER.match(folded):
        token = m.group(1)
        found.append(Marker("chapter", (int(token) if token.isdigit() else _roman_value(token.upper()),)))
    if m := _SECTION.match(folded):
        token = m.group(1)
        found.append(Marker("section", (int(token) if token.isdigit() else _roman_value(token.upper()),)))
    if m := _ARTICLE.match(folded):
        found.append(Marker("article", (int(m.group(1)),)))
    if found:
        return found
    if (m := _ROMAN.match(s)) and m.group(1):
        found.append(Marker("roman", (_roman_value(m.group(1)),)))
    if m := _UPPER.match(s):
        found.append(Marker("upper", (_letter_value(m.group(1)),)))
    if m := _MULTI.match(s):
        found.append(Marker("multi", tuple(int(x) for x in m.group(1).split("."))))
    elif m := _NUM.match(s):
        found.append(Marker("num", (int(m.group(1)),)))
    if m := _PAREN.match(s):
        found.append(Marker("paren", (int(m.group(1)),)))
    if m := _LOWER.match(s):
        found.append(Marker("lower", (_letter_value(m.group(1)),)))
    return found


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def is_caps_line(text: str) -> bool:
    """An ALL-CAPS line that can be a heading ("PHỤ LỤC", "CÁC CHỈ TIÊU CHỦ YẾU NĂM 2021")."""
    s = _strip_bold(text).rstrip("*").strip()
    if len(s) > 250 or s[:1] in _QUOTES:
        return False
    letters = _letters(s)
    if len(letters) < 3:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.85 and not s.endswith((".", ";", ","))


def is_bold_unit(text: str) -> bool:
    s = text.strip()
    return s.startswith("**") and s.rstrip(":.").endswith("**") and len(s) <= 300


def clean_heading(text: str) -> str:
    """Heading text for a heading path: as written, without markdown bold and with single spaces."""
    return " ".join(text.replace("**", " ").split())


def _is_name_line(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in text):
        return False
    return all(w[0].isupper() and w.replace("-", "").isalpha() for w in words)


# --- title -----------------------------------------------------------------------------------------
def _match_key(text: str) -> str:
    return " ".join(index_key(text.replace("*", " ")).split()).strip(" :.")


def title_line_indices(lines: Sequence[Line], title: str | None, limit: int = 60) -> set[int]:
    """Indices of the lines near the top that spell the document title (it may be printed twice)."""
    if not title:
        return set()
    want = _match_key(title)
    if not want:
        return set()
    filled = [i for i, line in enumerate(lines) if not line.blank][:limit]
    marked: set[int] = set()
    for a in range(len(filled)):
        acc = ""
        for b in range(a, len(filled)):
            acc = f"{acc} {lines[filled[b]].text}"
            key = _match_key(acc)
            if key == want:
                marked.update(filled[a:b + 1])
                break
            if len(key) >= len(want) or not want.startswith(key):
                break
    return marked


# --- grouping lines into units --------------------------------------------------------------------
def _units(lines: Sequence[Line], title_lines: set[int]) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    n = len(lines)
    if title_lines:
        # Short lines above the title (issuing body, national motto, "Số: …", place and date, a web
        # page's date line) are the letterhead: one block, not a cascade of headings.
        above = [k for k in range(min(title_lines)) if not lines[k].blank]
        if above and len(above) <= 15 and all(len(lines[k].text) <= 200 and not is_table_line(lines[k]) for k in above):
            units.append(_Unit("letterhead", [lines[k] for k in above]))
            i = min(title_lines)
    while i < n:
        line = lines[i]
        if line.blank:
            i += 1
            continue
        if i in title_lines:
            j = i
            while j + 1 < n and (j + 1) in title_lines:
                j += 1
            units.append(_Unit("title", list(lines[i:j + 1])))
            i = j + 1
            continue
        if is_table_line(line):
            j = i
            while j + 1 < n and not lines[j + 1].blank and (is_table_line(lines[j + 1]) or "\t" in lines[j + 1].raw):
                j += 1
            if j > i or _continues_table(units):
                units.append(_Unit("table", list(lines[i:j + 1])))
                i = j + 1
                continue
        if not _HAS_ALNUM.search(line.text):
            units.append(_Unit("rule", [line]))  # "-----", "***": separators, not content
            i += 1
            continue
        if _SIGNATURE_START.match(fold_diacritics(line.text[:12])):
            j = _signature_end(lines, i)
            units.append(_Unit("signature", list(lines[i:j + 1])))
            i = j + 1
            continue
        unit = _Unit("text", [line])
        if line.text.startswith("**"):
            # A **bold** span may run over several lines (a two-line title).
            j = i
            while j + 1 < n and j - i < 4 and not lines[j + 1].blank and not _bold_closed(lines[i:j + 1]):
                j += 1
            if is_bold_unit(" ".join(l.text for l in lines[i:j + 1])):
                unit = _Unit("text", list(lines[i:j + 1]))
                i = j
        units.append(unit)
        # Hard-wrapped continuation lines: no marker, not caps, not a table row.
        while i + 1 < n and not lines[i + 1].blank and _is_continuation(lines[i + 1], unit):
            unit.lines.append(lines[i + 1])
            i += 1
        i += 1
    return units


def _bold_closed(lines: Sequence[Line]) -> bool:
    return " ".join(l.text for l in lines).rstrip(":. ").endswith("**")


def _continues_table(units: list[_Unit]) -> bool:
    return bool(units) and units[-1].kind == "table"


def _is_continuation(line: Line, unit: _Unit) -> bool:
    """A line that continues the unit above it: a sentence broken by a hard line wrap.

    Repair has already joined wrapped lines; what remains on separate lines is separate unless it
    plainly carries on a sentence (starts in lower case after a line that does not end one).
    """
    text = line.text
    if not text[:1].islower() or _SENTENCE_END.search(unit.lines[-1].text):
        return False
    if is_table_line(line) or detect_marker(text) or _BULLET.match(text) or _STAR.match(text):
        return False
    if is_caps_line(text) or is_caps_line(unit.text) or is_bold_unit(unit.text):
        return False
    return not _SIGNATURE_START.match(fold_diacritics(text[:12]))


def _signature_end(lines: Sequence[Line], i: int) -> int:
    """Last line of a signature / recipients block that starts at line i."""
    j = i
    k = i + 1
    while k < len(lines):
        line = lines[k]
        if line.blank:
            k += 1
            continue
        folded = fold_diacritics(line.text)
        if _is_name_line(line.text) and not line.text.isupper():
            return k  # the signer's name closes the block
        if (
            _BULLET.match(line.text) or _ROLE.match(folded) or _SIGNATURE_START.match(folded)
            or _SIGNED.match(folded) or folded.lower().startswith("luu")
        ):
            j = k
            k += 1
            continue
        break
    return j


# --- numbering sequences ---------------------------------------------------------------------------
def _classify(units: list[_Unit]) -> None:
    """Mark numbered units that continue a sequence and decide heading vs. list item per sequence."""
    last: dict[str, tuple[int, ...]] = {}
    groups: dict[tuple[str, int, int, int], list[int]] = {}
    restarts: dict[tuple[str, int, int], int] = {}
    # Open levels as (rank, unit index), ranks strictly increasing: the parent of a new item is the
    # nearest earlier item of a higher level. An ALL-CAPS line opens a new scope for everything.
    levels: list[tuple[float, int]] = []
    for idx, unit in enumerate(units):
        if unit.kind != "text":
            continue
        text = unit.text
        chosen = _continuing(detect_marker(text), last)
        if chosen is None:
            if _BULLET.match(text):
                unit.candidate = "bullet"
            elif _STAR.match(text) and len(text) <= 200 and not text.endswith("."):
                unit.candidate = "star"
            elif is_bold_unit(text):
                unit.candidate = "bold"
            elif is_caps_line(text):
                unit.candidate = "caps"
                levels = [(float("-inf"), idx)]
            continue
        rank = _style_rank(chosen.style, chosen.value)
        unit.marker, unit.candidate, unit.accepted, unit.rank = chosen, "numbered", True, rank
        # A higher-level item restarts every deeper sequence.
        for style in [s for s, v in last.items() if _style_rank(s, v) > rank]:
            del last[style]
        last[chosen.style] = chosen.value
        while levels and levels[-1][0] >= rank:
            levels.pop()
        scope = (chosen.style, len(chosen.value), levels[-1][1] if levels else -1)
        levels.append((rank, idx))
        if chosen.value[-1] == 1 or scope not in restarts:
            restarts[scope] = restarts.get(scope, -1) + 1  # "1." again under the same parent: a new list
        groups.setdefault((*scope, restarts[scope]), []).append(idx)
    for members in groups.values():
        bodies = [
            _has_body(units, i, members[k + 1] if k + 1 < len(members) else len(units))
            for k, i in enumerate(members)
        ]
        if len(members) == 1:
            heading = bodies[0] and _heading_like(units[members[0]])
        else:
            # The last item's "body" may be the section's closing paragraph: judge by the others.
            head = bodies[:-1]
            heading = sum(head) > 0 and sum(head) * 2 >= len(head)
        for i in members:
            units[i].is_heading = heading


def _style_rank(style: str, value: tuple[int, ...]) -> float:
    return RANK[style] + (len(value) - 2 if style == "multi" else 0)


def _continuing(markers: list[Marker], last: dict[str, tuple[int, ...]]) -> Marker | None:
    """The marker that starts or continues a sequence, or None (the line is ordinary text)."""
    for marker in markers:
        style, value = marker.style, marker.value
        previous = last.get(style)
        if style == "multi":
            parent = last.get("num")
            prev_multi = previous if previous and len(previous) == len(value) else None
            if prev_multi and value[:-1] == prev_multi[:-1] and value[-1] == prev_multi[-1] + 1:
                return marker
            if value[-1] == 1 and (parent is None or value[:1] == parent[:1] or len(value) > 2):
                return marker
            continue
        if style == "upper" and previous is None and value[0] != 1:
            continue
        if style == "roman" and "upper" in {m.style for m in markers}:
            # "I." after "H." is a letter; otherwise a Roman numeral.
            upper_prev = last.get("upper")
            letter = next(m for m in markers if m.style == "upper")
            if upper_prev and letter.value[0] == upper_prev[0] + 1:
                continue
        if previous is None:
            if value[0] == 1 or (value[0] <= 3 and style in ("part", "chapter", "roman", "num")):
                return marker
            continue
        if value[0] == previous[0] + 1 or value[0] == 1:
            return marker
    return None


def _has_body(units: list[_Unit], i: int, stop: int) -> bool:
    """Whether anything but higher headings or closing blocks follows item i before its next sibling (`stop`)."""
    rank = units[i].rank
    right_after = True
    for j in range(i + 1, stop):
        u = units[j]
        if u.kind in ("rule", "title"):
            continue
        if u.kind == "signature" or (u.accepted and u.rank <= rank):
            return False
        if u.kind == "text" and u.candidate == "caps" and not u.accepted:
            if right_after:
                right_after = False
                continue  # the heading's own subtitle ("Phần thứ nhất" / "KẾT QUẢ …")
            return False
        return True
    return False


def _heading_like(unit: _Unit) -> bool:
    text = unit.text
    return len(text) <= 300 and not (len(text) > 150 and _SENTENCE_END.search(text))


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
    units = _units(lines, title_line_indices(lines, title))
    _classify(units)
    units = _join_wrapped_headings(units)
    _resolve_unnumbered(units)
    return tuple(_build(units))


def _join_wrapped_headings(units: list[_Unit]) -> list[_Unit]:
    """A numbered heading broken over a blank line ("2.6. … sử dụng" / "hiệu quả … đất đai") is one heading."""
    out: list[_Unit] = []
    for unit in units:
        prev = out[-1] if out else None
        if (
            prev is not None and prev.is_heading and prev.accepted and unit.kind == "text" and unit.candidate is None
            and unit.text[:1].islower() and len(unit.text) <= 200 and not _SENTENCE_END.search(unit.text)
            and not _SENTENCE_END.search(prev.text) and len(prev.text) + len(unit.text) <= 400
        ):
            prev.lines.extend(unit.lines)
            continue
        out.append(unit)
    return out


def _resolve_unnumbered(units: list[_Unit]) -> None:
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
        if has_figure(text) and len(text) <= 500 and text[:1] not in _QUOTES and (self.in_run or self.paragraphs <= 2):
            self.in_run = True
            return self.text, True
        if self.paragraphs == 1 and len(text) <= 500:
            # "Đại hội xác định phương châm là:" + the line it announces; figures may still follow.
            return self.text, False
        if self.in_run or self.paragraphs >= 2:
            self.close()
        return "", False


def _build(units: list[_Unit]) -> list[Element]:
    b = _Builder()
    previous_heading: _Unit | None = None
    headings: list[tuple[_Open, _Unit, tuple[str, ...]]] = []
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


def _heading_rank(unit: _Unit, previous_heading: _Unit | None, b: _Builder) -> float:
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


def _marker_key(unit: _Unit, style: str | None) -> str:
    """Which list an item belongs to: its numbering style, or its bullet character."""
    return f"bullet:{unit.text[:1]}" if style == "bullet" else style or ""


def _content_kind(unit: _Unit) -> tuple[ElementKind, str | None]:
    if unit.accepted:
        return "list_item", unit.marker.style if unit.marker else None
    if unit.candidate == "bullet":
        return "list_item", "bullet"
    if unit.candidate in ("star",):
        return "list_item", "star"
    if (markers := detect_marker(unit.text)) and markers[0].style == "paren":
        return "list_item", "paren"
    return "paragraph", None


# --- figures ---------------------------------------------------------------------------------------
_NUMBER = re.compile(r"(?<![\w.,/])(\d+(?:[.,]\d+)*)(\s*%|\s*‰)?(?![\d])")
_DATE = re.compile(r"(?<!\d)(?:0?[1-9]|[12]\d|3[01])[/-](?:0?[1-9]|1[0-2])(?:[/-](?:19|20)\d\d)?(?![\d/])")
_CODE_AFTER = re.compile(r"^(?:\s*-\s*[A-ZĐ]|/[^\W\d_])")  # 05-CT/TW, 395/TB-VPCP
_NOT_A_FIGURE_BEFORE = re.compile(r"(?:\bsố|\bthứ|\bkhóa|\bkhoá|\blần|\bquy định|\bchỉ thị|\bnghị quyết|\bkết luận)\s*$", re.I)


_LEADING_MARKER = re.compile(
    r"^\s*(?:[-–—+•●▪◦∙‣·►✓*]\s*)?(?:\(\d{1,2}\)|\d{1,2}(?:\.\d{1,2})*\s*[.\-–)/]|[a-zđA-ZĐ]\s*[).]|"
    + _ROMAN_RE + r"\s*[.\-–)])?\s*"
)


def strip_marker(text: str) -> str:
    """The text of a list item without its bullet or number ("- (4) Sản lượng …" → "Sản lượng …")."""
    return _LEADING_MARKER.sub("", text, count=1)


def has_figure(text: str) -> bool:
    """True when the text states a quantity (not only years, dates, document numbers or ordinals)."""
    masked = _DATE.sub(lambda m: " " * len(m.group(0)), text)
    for m in _NUMBER.finditer(masked):
        token, percent = m.group(1), m.group(2)
        if percent:
            return True
        if re.fullmatch(r"(?:19|20)\d\d", token):
            continue
        if _CODE_AFTER.match(masked[m.end():]):
            continue
        if _NOT_A_FIGURE_BEFORE.search(masked[max(0, m.start() - 16):m.start()]):
            continue
        return True
    return False
