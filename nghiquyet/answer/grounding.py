"""The grounding check: every number an answer states must be written in a passage it cites.

A wrong figure in a meeting is worse than no answer, so this check is applied to every answer —
extractive or from an LLM. Numbers are compared as written ("6.150,1" is not "6150,1"); a
statement's numbers must appear in the passages cited on the same line (or, for a line without its
own marker, in any passage the answer cites); every citation marker must name a passage that exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from nghiquyet.answer.models import Answer
from nghiquyet.answer.numbers import number_tokens
from retrieval.models import Passage

_MARKER = re.compile(r"\[(\d+)\]")


def evidence_text(passage: Passage) -> str:
    """A passage as shown to a reader or a model: where it comes from, its section, its text."""
    chunk = passage.chunk
    doc = chunk.doc
    lines = []
    origin = " · ".join(p for p in (doc.province, doc.title or chunk.source) if p)
    if origin:
        lines.append(origin)
    if doc.years:
        lines.append("Năm: " + ", ".join(str(y) for y in doc.years))
    if chunk.heading_path:
        lines.append("Mục: " + " > ".join(chunk.heading_path))
    if chunk.context:
        lines.append("Cột/ngữ cảnh: " + chunk.context)
    lines.append(chunk.text)
    return "\n".join(lines)


def _number_key(token: str) -> str:
    # "06" and "6" are the same count as written in these documents ("06 nhiệm vụ"); nothing else is
    # normalised: "6.150,1" must be written exactly so.
    if token.isdigit():
        return token.lstrip("0") or "0"
    return token


@dataclass(frozen=True)
class GroundingReport:
    ungrounded: tuple[str, ...] = ()     # numbers not found in the passages their statement cites
    unknown_markers: tuple[str, ...] = ()  # [n] that name no passage
    uncited: bool = False                # numbers stated with no citation at all

    @property
    def ok(self) -> bool:
        return not (self.ungrounded or self.unknown_markers or self.uncited)

    def reason(self) -> str:
        """Why the answer cannot be shown as is, in Vietnamese."""
        parts = []
        if self.ungrounded:
            parts.append("có số liệu không có trong nguồn: " + ", ".join(self.ungrounded))
        if self.unknown_markers:
            parts.append("trích dẫn nguồn không tồn tại: " + ", ".join(self.unknown_markers))
        if self.uncited:
            parts.append("nêu số liệu mà không trích dẫn nguồn")
        return "Câu trả lời " + "; ".join(parts) + "." if parts else ""


def check_grounding(text: str, sources: Mapping[int, Passage]) -> GroundingReport:
    """Check `text` (with [n] markers) against the passages `sources` maps those markers to."""
    evidence = {n: {_number_key(t) for t in number_tokens(evidence_text(p))} for n, p in sources.items()}
    every = set().union(*evidence.values()) if evidence else set()
    ungrounded: list[str] = []
    unknown: list[str] = []
    uncited = False
    for line in text.splitlines():
        markers = [int(m) for m in _MARKER.findall(line)]
        for n in markers:
            if n not in sources and f"[{n}]" not in unknown:
                unknown.append(f"[{n}]")
        cited = [evidence[n] for n in markers if n in evidence]
        pool = set().union(*cited) if cited else every
        for token in sorted(number_tokens(line)):
            if _number_key(token) not in pool and token not in ungrounded:
                ungrounded.append(token)
        if number_tokens(line) and not every:
            uncited = True
    return GroundingReport(tuple(ungrounded), tuple(unknown), uncited)


def check_answer(answer: Answer) -> GroundingReport:
    """Grounding of a finished answer. A refusal states no figures of its own and always passes."""
    if answer.refused:
        return GroundingReport()
    return check_grounding(answer.answer, {c.n: c.passage for c in answer.citations})


def grounded_numbers(answer: Answer) -> tuple[int, int]:
    """(numbers found in cited passages, numbers stated) — for the grounded-number rate."""
    if answer.refused:
        return 0, 0
    report = check_answer(answer)
    stated = {_number_key(t) for t in number_tokens(answer.answer)}
    bad = {_number_key(t) for t in report.ungrounded}
    return len(stated - bad), len(stated)

