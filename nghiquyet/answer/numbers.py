"""Vietnamese figures in text: "6.150,1", "3,32%", "1.100 - 1.200", "8,5 – 9%", "69 triệu đồng", years.

Vietnamese writes thousands with dots and decimals with a comma. A figure is kept as the exact
string written in the source: answers copy figures, they never re-format or compute them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Order matters: a dotted-thousands number must win over its first group ("6.150,1", not "6").
_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_NUMBER_RE = re.compile(rf"(?<![\d])(?<![\d][.,])(?:{_NUMBER})(?![\d]|[.,]\d)")
# For grounding: every maximal run of digits and inner separators is one token, so a figure in an
# unexpected format ("12.5", "6150,1") is still caught and compared as written.
_TOKEN_RE = re.compile(r"\d(?:[\d.,]*\d)?")
_DASH = r"\s*[-–—]\s*"
_UNITS = (
    "triệu đồng/người/năm", "triệu đồng/người", "triệu đồng/ha", "triệu đồng", "nghìn tỷ đồng",
    "tỷ đồng", "tỷ USD", "triệu USD", "nghìn USD", "USD", "đồng",
    "triệu tấn/năm", "triệu tấn", "nghìn tấn", "tấn/ha", "tấn", "ha", "km", "lượt người", "lượt",
    "người", "lao động", "đảng viên", "doanh nghiệp", "hợp tác xã", "HTX", "xã", "huyện", "trường",
    "giường bệnh", "bác sĩ", "sinh viên", "dự án", "sản phẩm", "vụ", "hộ", "%/năm", "%", "‰",
)
_UNIT_RE = re.compile(
    r"\s?(" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")(?![\w])",
    re.IGNORECASE,
)
_MARKER_RE = re.compile(r"\[(?:\d+|S\d+)\]")


@dataclass(frozen=True)
class Figure:
    """One number as written, with its position, parsed value and the unit that follows it."""

    text: str          # exactly as written: "6.150,1"
    start: int
    end: int
    value: float
    unit: str = ""     # "%", "tỷ đồng", ... ("" when none follows)
    is_year: bool = False

    @property
    def span_with_unit(self) -> tuple[int, int]:
        return self.start, self.end + self._unit_len

    @property
    def _unit_len(self) -> int:
        return len(self.unit) + (0 if not self.unit or self.unit.startswith("%") or self.unit == "‰" else 1)


def parse_number(text: str) -> float:
    """Value of a Vietnamese-formatted number: "6.150,1" → 6150.1, "3,32" → 3.32."""
    return float(text.replace(".", "").replace(",", "."))


def _looks_like_year(text: str) -> bool:
    # A bare 19xx/20xx with no unit after it is a year in this genre ("năm 2021", "2020 - 2025");
    # quantities of that size are written with a thousands dot ("2.000 đảng viên").
    return bool(re.fullmatch(r"(19|20)\d\d", text))


def find_figures(text: str) -> list[Figure]:
    """Every number in `text`, in order, with the unit written right after it (if any)."""
    out: list[Figure] = []
    for m in _NUMBER_RE.finditer(text):
        raw = m.group(0)
        unit_m = _UNIT_RE.match(text, m.end())
        unit = unit_m.group(1) if unit_m else ""
        if unit_m and unit_m.group(0).startswith(" ") and unit.startswith("%"):
            unit = ""  # "5 %" is unusual; keep spans exact rather than guess
        out.append(
            Figure(
                text=raw,
                start=m.start(),
                end=m.end(),
                value=parse_number(raw),
                unit=unit,
                is_year=_looks_like_year(raw) and not unit,
            )
        )
    return out


def strip_markers(text: str) -> str:
    """Text without citation markers ([1], [S3]): their digits are not figures."""
    return _MARKER_RE.sub(" ", text)


@lru_cache(maxsize=4096)
def number_tokens(text: str) -> frozenset[str]:
    """Every number written in `text`, as strings exactly as written (citation markers excluded)."""
    return frozenset(_TOKEN_RE.findall(strip_markers(text)))


def has_figure(text: str, *, include_years: bool = False) -> bool:
    """True when `text` states a quantity (a number that is not just a year)."""
    return any(include_years or not f.is_year for f in find_figures(strip_markers(text)))


def figure_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the non-year figures (with their units) inside text[start:end], for highlighting."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for fig in find_figures(text[start:stop]):
        if fig.is_year:
            continue
        a, b = fig.span_with_unit
        spans.append((a + start, b + start))
    return spans


def range_pattern() -> re.Pattern[str]:
    """A figure or a range of figures ("1.100 - 1.200", "8,5 – 9%")."""
    return re.compile(rf"(?:{_NUMBER})%?(?:{_DASH}(?:{_NUMBER})%?)?")


def is_pure_figure(text: str) -> bool:
    """True for a cell such as "2,17", "7,3-7,5", "2%-3%" (a figure or range and nothing else)."""
    return bool(range_pattern().fullmatch(text.strip()))
