"""Re-ranking fused candidates with what the question asks (no cross-encoder ships offline).

Signals, each a small number added to the fused score (which is scaled to at most 1):
- year: the asked year in the chunk's heading path (strong: "B. CÁC CHỈ TIÊU … NĂM 2021"), in its text
  or table columns (weaker), only in its document's plan/report years (weakest); a heading about a
  different year counts against it.
- intent: a target question favours chunks in sections about targets (chỉ tiêu, mục tiêu, nhiệm vụ,
  phương hướng…) and "Nghị quyết năm N" table columns; a result question favours sections about
  results (kết quả, đạt được, thực hiện…) and "Thực hiện năm N" columns.
- numbers: a figure written in the question appears in the chunk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.genre import RESULT_HEADING_RE, RESULT_PASSAGE_RE, TARGET_HEADING_RE, TARGET_PASSAGE_RE
from core.vietnamese import index_key
from ingest.models import Chunk
from retrieval.models import QueryAnalysis
from retrieval.tokenize import numbers

_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?!\d|[.,]\d)")


# Table columns as the chunker renders them ("Nghị quyết năm 2020: 2 · Thực hiện năm 2019: 2,17"): a label
# that ties a year to a stance, followed by the cell value.
_TARGET_YEAR = re.compile(r"(?:nghị quyết|kế hoạch|chỉ tiêu|mục tiêu|dự kiến|phấn đấu)(?: năm)? ((?:19|20)\d\d)\s*:")
_RESULT_YEAR = re.compile(r"(?:thực hiện|ước thực hiện|ước|kết quả|đạt được)(?: năm)? ((?:19|20)\d\d)\s*:")



@dataclass(frozen=True)
class RerankWeights:
    year_heading: float = 0.30
    year_text: float = 0.12
    year_doc: float = 0.06
    year_other: float = -0.20
    intent_heading: float = 0.25
    intent_heading_conflict: float = -0.25
    intent_column: float = 0.30
    intent_text: float = 0.08
    number: float = 0.15
    coverage: float = 0.40


@dataclass(frozen=True)
class ChunkFacts:
    """What a chunk says about years and stance, extracted once per chunk."""

    heading_years: frozenset[int]
    text_years: frozenset[int]
    stance: str                 # "target", "result" or "" — of the outermost heading that has one
    target_years: frozenset[int]  # years tied to a target label (table column or inline)
    result_years: frozenset[int]
    target_text: bool
    result_text: bool
    numbers: frozenset[str]


def _stance(heading_path: Sequence[str]) -> str:
    for heading in heading_path:
        key = index_key(heading)
        if RESULT_HEADING_RE.search(key):
            return "result"
        if TARGET_HEADING_RE.search(key):
            return "target"
    return ""


@lru_cache(maxsize=100_000)
def facts(chunk: Chunk) -> ChunkFacts:
    heading = index_key(" · ".join(chunk.heading_path))
    body = index_key(f"{chunk.text}\n{chunk.context}" if chunk.context else chunk.text)
    return ChunkFacts(
        heading_years=frozenset(int(y) for y in _YEAR.findall(heading)),
        # The passage's period counts as its own words: "Nổi bật là, … 6,08%" after "Năm 2020, …".
        text_years=frozenset(int(y) for y in _YEAR.findall(body)) | frozenset(chunk.period_years),
        # A table row carries target and result columns side by side: its columns say which, not its heading.
        stance="" if chunk.kind == "table_row" else _stance(chunk.heading_path),
        target_years=frozenset(int(y) for y in _TARGET_YEAR.findall(body)),
        result_years=frozenset(int(y) for y in _RESULT_YEAR.findall(body)),
        target_text=bool(TARGET_PASSAGE_RE.search(body)),
        result_text=bool(RESULT_PASSAGE_RE.search(body)),
        numbers=frozenset(numbers(body)),
    )


@lru_cache(maxsize=4096)
def question_numbers(analysis: QueryAnalysis) -> frozenset[str]:
    """Figures written in the question, years left out (they are handled as years)."""
    years = {str(y) for y in analysis.years}
    return frozenset(n for n in numbers(analysis.question) if n not in years)


def signals(chunk: Chunk, analysis: QueryAnalysis, weights: RerankWeights = RerankWeights()) -> dict[str, float]:
    """Named adjustments for one chunk (empty when the question gives nothing to agree with)."""
    f = facts(chunk)
    out: dict[str, float] = {}
    asked = set(analysis.years)
    intent = analysis.intent
    if asked:
        if f.heading_years & asked:
            out["year_heading"] = weights.year_heading
        elif f.heading_years and chunk.kind != "table_row":  # a table's title year is one of its columns
            out["year_other"] = weights.year_other
        if f.text_years & asked and "year_heading" not in out:
            out["year_text"] = weights.year_text
        if not out.get("year_heading") and not out.get("year_text"):
            doc = chunk.doc
            pool = doc.plan_years if intent == "target" else doc.report_years if intent == "result" else doc.years
            if asked & set(pool or doc.years):
                out["year_doc"] = weights.year_doc
    if intent != "any":
        opposite = "result" if intent == "target" else "target"
        if f.stance == intent:
            out["intent_heading"] = weights.intent_heading
        elif f.stance == opposite:
            out["intent_heading"] = weights.intent_heading_conflict
        column_years = f.target_years if intent == "target" else f.result_years
        if asked and column_years & asked:
            out["intent_column"] = weights.intent_column
        if (f.target_text if intent == "target" else f.result_text) and not (
            f.result_text if intent == "target" else f.target_text
        ):
            out["intent_text"] = weights.intent_text
    wanted = question_numbers(analysis)
    if wanted and f.numbers & wanted:
        out["number"] = weights.number * len(f.numbers & wanted) / len(wanted)
    return out


def rerank(
    candidates: Sequence[tuple[Chunk, float]],
    analysis: QueryAnalysis,
    weights: RerankWeights = RerankWeights(),
    *,
    coverage: Callable[[Chunk], float] | None = None,
) -> list[tuple[Chunk, float, dict[str, float]]]:
    """Candidates (fused score, higher better) re-scored with the question's years, intent and numbers.

    `coverage(chunk)` in [0, 1] says how much of what the question asks the chunk's own text says
    (rather than its headings or table context): a sub-row "Trong đó: …" inherits its parent's label
    as context, but only the parent row itself holds the parent's figures.
    """
    if not candidates:
        return []
    top = max(score for _, score in candidates)
    scale = top if top > 0 else 1.0
    out = []
    for chunk, score in candidates:
        adjust = signals(chunk, analysis, weights)
        if coverage is not None and weights.coverage:
            adjust["coverage"] = weights.coverage * coverage(chunk)
        out.append((chunk, score / scale + sum(adjust.values()), adjust))
    out.sort(key=lambda item: -item[1])
    return out


def interleave_provinces(ranked: Sequence[tuple[Chunk, float, dict[str, float]]], provinces: Sequence[str]) -> list[
    tuple[Chunk, float, dict[str, float]]
]:
    """For a comparison, alternate provinces (best of each first) so every province reaches the top k."""
    queues: dict[str, list[tuple[Chunk, float, dict[str, float]]]] = {p: [] for p in provinces}
    rest = []
    for item in ranked:
        province = item[0].doc.province
        if province in queues:
            queues[province].append(item)
        else:
            rest.append(item)
    out: list[tuple[Chunk, float, dict[str, float]]] = []
    while any(queues.values()):
        for province in provinces:
            if queues[province]:
                out.append(queues[province].pop(0))
    return out + rest
