"""An answer being composed: its text, its numbered citations, and the refusal that says what is indexed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.vietnamese import index_key
from nghiquyet.answer.models import Citation
from nghiquyet.answer.statements import Statement
from retrieval.models import Passage

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu hiện có."


@dataclass(frozen=True)
class Draft:
    """A composed answer before timing: text with [n] markers, and the passages they cite."""

    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = ()
    final: bool = False   # a refusal no LLM may override (province or year not covered)


@dataclass
class Citations:
    """Numbers passages in order of first use; one passage is one [n] however often it is cited."""

    order: list[str] = field(default_factory=list)
    passages: dict[str, Passage] = field(default_factory=dict)
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def cite(self, statement: Statement) -> int:
        key = statement.passage.chunk.id
        if key not in self.passages:
            self.order.append(key)
            self.passages[key] = statement.passage
            self.spans[key] = []
        for span in statement.spans:
            if span not in self.spans[key]:
                self.spans[key].append(span)
        return self.order.index(key) + 1

    def cite_span(self, passage: Passage, span: tuple[int, int]) -> int:
        key = passage.chunk.id
        if key not in self.passages:
            self.order.append(key)
            self.passages[key] = passage
            self.spans[key] = []
        if span not in self.spans[key]:
            self.spans[key].append(span)
        return self.order.index(key) + 1

    def build(self) -> tuple[Citation, ...]:
        return tuple(
            Citation(n=i + 1, passage=self.passages[key], highlights=tuple(sorted(self.spans[key])))
            for i, key in enumerate(self.order)
        )


def format_years(years: Sequence[int]) -> str:
    """2019, 2020 → "2019–2020"; 2015, 2020, 2021 → "2015, 2020–2021"."""
    ys = sorted(set(years))
    if not ys:
        return ""
    runs: list[list[int]] = [[ys[0], ys[0]]]
    for y in ys[1:]:
        if y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def coverage_sentence(available: Mapping[str, Sequence[int]]) -> str:
    """"Các tài liệu hiện có: Hậu Giang (2015–2025), Sóc Trăng (2019–2020)." (or nothing indexed)."""
    if not available:
        return "Chưa có tài liệu nào được lập chỉ mục."
    parts = []
    for province in sorted(available, key=index_key):
        years = format_years(available[province])
        parts.append(f"{province} ({years})" if years else province)
    return "Các tài liệu hiện có: " + ", ".join(parts) + "."


def refusal(reasons: Sequence[str], available: Mapping[str, Sequence[int]], *, final: bool = False) -> Draft:
    lines = [NOT_FOUND, *reasons, coverage_sentence(available)]
    return Draft(text=" ".join(line for line in lines if line), refused=True, final=final)
