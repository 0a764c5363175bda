"""The lines near the top of a document that spell its title (it may be printed twice)."""

from __future__ import annotations

from collections.abc import Sequence

from core.vietnamese import index_key
from ingest.lines import Line


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
