"""Lines grouped into units (paragraphs, list items, tables, signature blocks, heading candidates),
and the numbering sequences that decide which numbered units are headings.

A line that merely starts like a marker ("2020 là năm …", "2.3 triệu tấn …") is not a heading: a
numbered line counts only when it continues a sequence (1., 2., 3. …), and a numbered sequence is a
list of items rather than headings when its items have no body of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.vietnamese import fold_diacritics
from ingest.lines import Line, is_table_line
from ingest.markers import RANK, SENTENCE_END, Marker, detect_marker, is_bold_unit, is_caps_line

_BULLET = re.compile(r"^[-–—+•●▪◦∙‣·►✓]\s*(?=\S)")
_STAR = re.compile(r"^\*(?!\*)\s*(?=\S)")
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


@dataclass
class Unit:
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


def _is_name_line(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in text):
        return False
    return all(w[0].isupper() and w.replace("-", "").isalpha() for w in words)


# --- grouping lines into units --------------------------------------------------------------------
def group_units(lines: Sequence[Line], title_lines: set[int]) -> list[Unit]:
    units: list[Unit] = []
    i = 0
    n = len(lines)
    if title_lines:
        # Short lines above the title (issuing body, national motto, "Số: …", place and date, a web
        # page's date line) are the letterhead: one block, not a cascade of headings.
        above = [k for k in range(min(title_lines)) if not lines[k].blank]
        if above and len(above) <= 15 and all(len(lines[k].text) <= 200 and not is_table_line(lines[k]) for k in above):
            units.append(Unit("letterhead", [lines[k] for k in above]))
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
            units.append(Unit("title", list(lines[i:j + 1])))
            i = j + 1
            continue
        if is_table_line(line):
            j = i
            while j + 1 < n and not lines[j + 1].blank and (is_table_line(lines[j + 1]) or "\t" in lines[j + 1].raw):
                j += 1
            if j > i or _continues_table(units):
                units.append(Unit("table", list(lines[i:j + 1])))
                i = j + 1
                continue
        if not _HAS_ALNUM.search(line.text):
            units.append(Unit("rule", [line]))  # "-----", "***": separators, not content
            i += 1
            continue
        if _SIGNATURE_START.match(fold_diacritics(line.text[:12])):
            j = _signature_end(lines, i)
            units.append(Unit("signature", list(lines[i:j + 1])))
            i = j + 1
            continue
        unit = Unit("text", [line])
        if line.text.startswith("**"):
            # A **bold** span may run over several lines (a two-line title).
            j = i
            while j + 1 < n and j - i < 4 and not lines[j + 1].blank and not _bold_closed(lines[i:j + 1]):
                j += 1
            if is_bold_unit(" ".join(l.text for l in lines[i:j + 1])):
                unit = Unit("text", list(lines[i:j + 1]))
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


def _continues_table(units: list[Unit]) -> bool:
    return bool(units) and units[-1].kind == "table"


def _is_continuation(line: Line, unit: Unit) -> bool:
    """A line that continues the unit above it: a sentence broken by a hard line wrap.

    Repair has already joined wrapped lines; what remains on separate lines is separate unless it
    plainly carries on a sentence (starts in lower case after a line that does not end one).
    """
    text = line.text
    if not text[:1].islower() or SENTENCE_END.search(unit.lines[-1].text):
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
def classify(units: list[Unit]) -> None:
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


def _has_body(units: list[Unit], i: int, stop: int) -> bool:
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


def _heading_like(unit: Unit) -> bool:
    text = unit.text
    return len(text) <= 300 and not (len(text) > 150 and SENTENCE_END.search(text))
