"""The period each passage speaks of, read like a person reads: from the passage, else from before it.

A news article writes "Năm 2020, vượt lên nhiều khó khăn, … Thanh Hóa tiếp tục đạt được …" and then, in the
next paragraph, "Nổi bật là, tốc độ tăng trưởng … ước đạt 6,08%" — a figure about 2020 that names no year.
A resolution writes the year in the section heading. So a passage's period is the period phrase it opens
with, else the nearest such phrase before it in the same section, else its section heading's years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.genre import Period, find_periods, leading_period
from ingest.models import Chunk


def _heading_period(heading_path: Sequence[str]) -> Period | None:
    """The period of the deepest heading that names one ("B. … NĂM 2021", "… nhiệm kỳ 2020 - 2025")."""
    for heading in reversed(heading_path):
        found = [p for p in find_periods(heading) if p.kind != "until"]
        if found:
            return found[-1]
    return None


# An article's lead says what it is about ("… thông qua Nghị quyết Kế hoạch … năm 2026"); its later
# paragraphs without a period of their own speak of that one.
LEAD_CHUNKS = 2


def _lead_period(chunks: Sequence[Chunk]) -> tuple[Period, int] | None:
    """The first period the lead names, with the seq of the chunk that names it."""
    for chunk in chunks[:LEAD_CHUNKS]:
        if chunk.heading_path or chunk.kind == "table_row":
            return None  # a structured document: its headings say the periods
        found = [p for p in find_periods(chunk.text) if p.kind in ("year", "part", "term", "congress") and p.years]
        if found:
            return found[0], chunk.seq
    return None


def _published_year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def assign_periods(chunks: Sequence[Chunk]) -> list[Chunk]:
    """`chunks` (one document, in order) with `period` / `period_years` set where the text gives one."""
    out: list[Chunk] = []
    current: Period | None = None
    current_seq = -1
    section: tuple[str, ...] | None = None
    default = _lead_period(chunks)
    date = chunks[0].doc.issue_date if chunks else None
    published = _published_year(date)
    dated_seq = next((c.seq for c in chunks[:3] if date and date in c.text), -1)
    for chunk in chunks:
        if chunk.heading_path != section:
            # A new section starts from what its heading says, not from the previous section's last words.
            section = chunk.heading_path
            current = _heading_period(section)
            current_seq = -1
            if current is None and not section and default is not None:
                current, current_seq = default
        own = leading_period(chunk.text) if chunk.kind != "table_row" else None
        if own is not None:
            current, current_seq = own, chunk.seq
        period = own or current
        years = period.years if period is not None else frozenset()
        seq = current_seq
        if period is not None and not years and published:
            # "6 tháng đầu năm" in a page dated 2021-06 is 2021's; the date stamp is where that is said.
            years, seq = frozenset((published,)), dated_seq
        if period is None or not years:
            out.append(chunk)
            continue
        out.append(
            replace(
                chunk, period=period.label, period_years=tuple(sorted(years)), period_seq=seq, period_kind=period.kind
            )
        )
    return out
