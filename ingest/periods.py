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


def assign_periods(chunks: Sequence[Chunk]) -> list[Chunk]:
    """`chunks` (one document, in order) with `period` / `period_years` set where the text gives one."""
    out: list[Chunk] = []
    current: Period | None = None
    section: tuple[str, ...] | None = None
    for chunk in chunks:
        if chunk.heading_path != section:
            # A new section starts from what its heading says, not from the previous section's last words.
            section = chunk.heading_path
            current = _heading_period(section)
        own = leading_period(chunk.text) if chunk.kind != "table_row" else None
        if own is not None:
            current = own
        period = own or current
        if period is None:
            out.append(chunk)
            continue
        out.append(replace(chunk, period=period.label, period_years=tuple(sorted(period.years))))
    return out
