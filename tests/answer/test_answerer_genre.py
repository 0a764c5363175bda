"""What the answerer derives from the index (years passages speak of, each document's words, chunks by place)
and how it searches each side of a comparison, with a retriever that records what it is asked."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from core.config import Settings
from ingest.models import Chunk, DocumentMeta
from ingest.periods import assign_periods
from nghiquyet.answer.answerer import Answerer, corpus_info
from nghiquyet.answer.terms import Term
from retrieval.models import Filters, Passage, SearchResult
from retrieval.query import analyze_query

BAC_GIANG = DocumentMeta(
    source="bac-giang-dai-hoi-xix.txt",
    title="Đại hội đại biểu Đảng bộ tỉnh Bắc Giang lần thứ XIX",
    province="Bắc Giang",
    years=(2020,),
    content_hash=hashlib.sha256(b"bac-giang").hexdigest(),
)
LAO_CAI = DocumentMeta(
    source="lao-cai-nq-2021.txt",
    title="Nghị quyết về nhiệm vụ năm 2021",
    province="Lào Cai",
    years=(2021,),
    plan_years=(2021,),
    content_hash=hashlib.sha256(b"lao-cai").hexdigest(),
)


def document(doc: DocumentMeta, texts: Sequence[str], heading: tuple[str, ...] = ()) -> list[Chunk]:
    return assign_periods(
        [Chunk(text=t, source=doc.source, heading_path=heading, page=None, kind="paragraph", seq=i, doc=doc)
         for i, t in enumerate(texts)]
    )


BG = document(
    BAC_GIANG,
    [
        "Năm 2020, tốc độ tăng trưởng GRDP của tỉnh đạt 13,2%, cao nhất cả nước.",
        "Nổi bật là, thu ngân sách nhà nước trên địa bàn đạt 10.000 tỷ đồng.",
        "Tầm nhìn giai đoạn 2025 - 2030, tốc độ tăng trưởng GRDP bình quân phấn đấu đạt 13 - 14%/năm.",
    ],
)
LC = document(LAO_CAI, ["Tốc độ tăng trưởng GRDP phấn đấu đạt 9% trở lên."], heading=("II. CHỈ TIÊU CHỦ YẾU NĂM 2021",))


def test_corpus_info_knows_every_year_a_passage_speaks_of_and_each_documents_words() -> None:
    info = corpus_info([*BG, *LC])
    assert info.available == {"Bắc Giang": (2020,), "Lào Cai": (2021,)}
    # The metadata says 2020; the passages also speak of 2025-2030 (their text) — a year is refused
    # only when no passage of the province speaks of it.
    assert info.mentioned["Bắc Giang"] == frozenset({2020, 2025, 2026, 2027, 2028, 2029, 2030})
    assert info.mentioned["Lào Cai"] == frozenset({2021})  # from the heading
    # A passage's period (read from the paragraph before it) counts as a year it speaks of.
    assert BG[1].period_years == (2020,)
    # Each document's words, title included, for "does the rest of the document carry this term?".
    assert info.documents["bac-giang-dai-hoi-xix.txt"].has(Term("đại hội", (("đại", "hội"),), folded=False))
    assert not info.documents["lao-cai-nq-2021.txt"].has(Term("ngân sách", (("ngân", "sách"),), folded=False))
    # Chunks by (source, seq): where a period citation finds the paragraph that states the period.
    assert info.chunk_at("bac-giang-dai-hoi-xix.txt", 0) == BG[0]
    assert info.chunk_at("bac-giang-dai-hoi-xix.txt", 7) is None


class _Lexical:
    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)
        self.fingerprint = "test"


class RecordingRetriever:
    """Answers each search with the passages given for that exact query (province filter applied), and
    records every search so a test can see what the answerer asked."""

    def __init__(self, chunks: Sequence[Chunk], results: dict[str, Sequence[Chunk]]) -> None:
        self.lexical = _Lexical(chunks)
        self.results = results
        self.searches: list[tuple[str, tuple[str, ...]]] = []
        provinces = sorted({c.doc.province for c in chunks if c.doc.province})
        years = sorted({y for c in chunks for y in c.doc.years})
        self._coverage = (tuple(provinces), tuple(years))

    def coverage(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        return self._coverage

    def search(self, query: str, *, k: int, filters: Filters = Filters()) -> SearchResult:
        self.searches.append((query, filters.provinces))
        found = [c for c in self.results.get(query, ()) if not filters.provinces or c.doc.province in filters.provinces]
        passages = tuple(Passage(chunk=c, score=1.0 - i * 0.1) for i, c in enumerate(found[:k]))
        return SearchResult(query=query, analysis=analyze_query(query, self._coverage), passages=passages)


def test_each_period_of_a_comparison_is_searched_without_the_others_years(tmp_path: Path) -> None:
    question = "So sánh tăng trưởng GRDP của Bắc Giang năm 2020 và giai đoạn 2025 - 2030"
    side_2020 = "So sánh tăng trưởng GRDP của Bắc Giang năm 2020 và giai đoạn -"
    side_2030 = "So sánh tăng trưởng GRDP của Bắc Giang năm và giai đoạn 2025 - 2030"
    # The whole question finds only the 2020 paragraph; the later period is found by its own search.
    retriever = RecordingRetriever([*BG, *LC], {question: [BG[0]], side_2020: [BG[0]], side_2030: [BG[2]]})
    answer = Answerer(Settings(store_dir=tmp_path / "store")).ask(question, retriever)
    assert retriever.searches == [(question, ()), (side_2020, ()), (side_2030, ())]
    lines = answer.answer.splitlines()
    assert len(lines) == 2, answer.answer
    assert "13,2%" in lines[0] and "13 - 14%/năm" in lines[1]
    assert [c.passage.chunk.text for c in answer.citations] == [BG[0].text, BG[2].text]


def test_each_province_of_a_comparison_is_searched_on_its_own(tmp_path: Path) -> None:
    question = "So sánh tốc độ tăng trưởng GRDP của Bắc Giang và Lào Cai"
    retriever = RecordingRetriever([*BG, *LC], {question: [BG[0], BG[2], *LC]})
    Answerer(Settings(store_dir=tmp_path / "store")).ask(question, retriever)
    assert retriever.searches == [(question, ()), (question, ("Bắc Giang",)), (question, ("Lào Cai",))]


def test_a_question_of_one_province_and_one_period_is_searched_once(tmp_path: Path) -> None:
    question = "Tốc độ tăng trưởng GRDP năm 2020 của Bắc Giang?"
    retriever = RecordingRetriever([*BG, *LC], {question: [BG[0]]})
    answer = Answerer(Settings(store_dir=tmp_path / "store")).ask(question, retriever)
    assert retriever.searches == [(question, ())]
    assert "13,2%" in answer.answer and not answer.refused
