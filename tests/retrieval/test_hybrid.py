"""HybridRetriever over a real (embedded Chroma) store with the fake embedder: filters, flags, consistency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ingest.models import Chunk, DocumentMeta
from core.config import Settings
from core.errors import QuestionError
from retrieval.hybrid import HybridRetriever, RetrievalOptions
from retrieval.langchain import EngineRetriever
from retrieval.models import Filters
from tests.conftest import HashEmbedder
from tests.retrieval.factory import make_chunks, make_meta
from vectorstore.store import ChunkStore, open_store

TV = make_meta(
    "tra-vinh.txt", province="Trà Vinh", years=(2020, 2021), plan_years=(2021,), report_years=(2020,)
)
TV_ITEMS = [
    (("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020", "I- KẾT QUẢ ĐẠT ĐƯỢC", "4. Lĩnh vực kinh tế"),
     "Tốc độ tăng trưởng GRDP đạt 3,32% (Nghị quyết tăng 11% trở lên). Quy mô nền kinh tế đạt 63.767 tỷ đồng."),
    (("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020", "I- KẾT QUẢ ĐẠT ĐƯỢC", "5. Lĩnh vực văn hóa - xã hội"),
     "Tập trung làm tốt công tác giảm nghèo; tỷ lệ hộ nghèo cuối năm 2020 giảm còn 1,8%."),
    (("B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021", "I. CÁC CHỈ TIÊU CHỦ YẾU", "2. Chỉ tiêu kinh tế"),
     "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."),
    (("B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021", "I. CÁC CHỈ TIÊU CHỦ YẾU", "3. Chỉ tiêu xã hội"),
     "Tỷ lệ bao phủ bảo hiểm y tế so với dân số đạt 96%."),
]
LS = make_meta("lang-son.txt", province="Lạng Sơn", years=(2020,), plan_years=(2020,))
LS_ITEMS = [
    (("II- CÁC CHỈ TIÊU CHỦ YẾU", "1- Các chỉ tiêu kinh tế:"), "Tốc độ tăng trưởng kinh tế 8,5 – 9%."),
    (("II- CÁC CHỈ TIÊU CHỦ YẾU", "2- Các chỉ tiêu xã hội:"),
     "Tỷ lệ xã đạt Bộ tiêu chí quốc gia về y tế 72,6%; 98% người dân tham gia bảo hiểm y tế."),
]


def add(store: ChunkStore, embedder: HashEmbedder, meta: DocumentMeta, chunks: list[Chunk]) -> None:
    store.add_document(meta, chunks, embedder.embed_passages([c.index_text for c in chunks]))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


@pytest.fixture
def store(settings: Settings, fake_embedder: HashEmbedder) -> Iterator[ChunkStore]:
    s = open_store(settings, fake_embedder)
    add(s, fake_embedder, TV, make_chunks(TV, TV_ITEMS))
    add(s, fake_embedder, LS, make_chunks(LS, LS_ITEMS))
    yield s
    s.close()


@pytest.fixture
def retriever(store: ChunkStore, fake_embedder: HashEmbedder, settings: Settings) -> HybridRetriever:
    return HybridRetriever(store, fake_embedder, settings)


def test_target_question_ranks_the_target_first_with_heading_path(retriever: HybridRetriever) -> None:
    for question in ("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh", "tra vinh grdp 2021"):
        top = retriever.search(question, k=3, filters=Filters()).passages[0]
        assert top.chunk.text == "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.", question
        assert top.chunk.heading_path[-1] == "2. Chỉ tiêu kinh tế"


def test_result_question_ranks_the_result_first(retriever: HybridRetriever) -> None:
    top = retriever.search("Trà Vinh năm 2020 tăng trưởng GRDP đạt bao nhiêu?", k=3, filters=Filters()).passages[0]
    assert "3,32%" in top.chunk.text


def test_named_province_is_a_hard_filter(retriever: HybridRetriever) -> None:
    result = retriever.search("tỷ lệ tham gia bảo hiểm y tế Lạng Sơn", k=10, filters=Filters())
    assert result.passages and {p.chunk.doc.province for p in result.passages} == {"Lạng Sơn"}
    assert "98%" in result.passages[0].chunk.text


def test_user_filters_apply(retriever: HybridRetriever) -> None:
    result = retriever.search("tốc độ tăng trưởng", k=10, filters=Filters(provinces=("Lạng Sơn",)))
    assert [p.chunk.source for p in result.passages] == ["lang-son.txt"] * len(result.passages)
    assert retriever.search("tốc độ tăng trưởng", k=10, filters=Filters(years=(2021,))).passages[0].chunk.source == "tra-vinh.txt"


def test_unknown_province_is_flagged_and_nothing_else_is_returned(retriever: HybridRetriever) -> None:
    result = retriever.search("Chỉ tiêu tăng trưởng GRDP năm 2021 của Bến Tre?", k=5, filters=Filters())
    assert result.analysis.unknown_provinces == ("Bến Tre",)
    assert result.passages == ()  # never passages about another province instead
    assert retriever.analyze("GRDP Trà Vinh năm 2030").unknown_years == (2030,)


def test_coverage_lists_indexed_provinces_and_years(retriever: HybridRetriever) -> None:
    assert retriever.coverage() == (("Lạng Sơn", "Trà Vinh"), (2020, 2021))


def test_comparison_interleaves_provinces(retriever: HybridRetriever) -> None:
    result = retriever.search("So sánh tăng trưởng kinh tế của Trà Vinh và Lạng Sơn", k=2, filters=Filters())
    assert result.analysis.comparison
    assert {p.chunk.doc.province for p in result.passages} == {"Trà Vinh", "Lạng Sơn"}
    scores = [p.score for p in result.passages]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "question",
    ["", "   ", "?!…", "x" * 10_000],
)
def test_unusable_questions_raise_a_vietnamese_question_error(retriever: HybridRetriever, question: str) -> None:
    with pytest.raises(QuestionError) as info:
        retriever.search(question, k=5, filters=Filters())
    assert info.value.message and any(ch in info.value.message for ch in "âêôơưđ")


@pytest.mark.parametrize(
    "question",
    [
        "'; DROP TABLE chunks; --",
        "<script>alert('x')</script> GRDP",
        "Каков рост ВВП?",
        "经济增长目标是多少",
        "GRDP" * 200,
    ],
)
def test_odd_questions_do_not_crash(retriever: HybridRetriever, question: str) -> None:
    result = retriever.search(question, k=3, filters=Filters())
    assert len(result.passages) <= 3


def test_index_follows_the_store_across_ingest_and_delete(
    store: ChunkStore, fake_embedder: HashEmbedder, settings: Settings, retriever: HybridRetriever
) -> None:
    question = "tỷ lệ hộ nghèo"
    before = retriever.lexical.fingerprint
    assert retriever.search(question, k=5, filters=Filters()).passages
    # Another process (a second retriever on the same store) changes the collection...
    other = HybridRetriever(store, fake_embedder, settings)
    new_tv = make_meta("tra-vinh.txt", province="Trà Vinh", years=(2020, 2021), salt="v2")
    add(store, fake_embedder, new_tv, make_chunks(new_tv, [(("Mục tiêu",), "Tỷ lệ hộ nghèo giảm còn dưới 1%.")]))
    # ...and the next search here sees the change without an explicit refresh.
    texts = [p.chunk.text for p in retriever.search(question, k=5, filters=Filters()).passages]
    assert texts[0] == "Tỷ lệ hộ nghèo giảm còn dưới 1%." and not any("1,8%" in t for t in texts)
    assert retriever.lexical.fingerprint != before
    store.delete_document("tra-vinh.txt")
    other.refresh()
    assert other.lexical.fingerprint == store.fingerprint()
    assert all(p.chunk.source == "lang-son.txt" for p in retriever.search(question, k=5, filters=Filters()).passages)
    assert retriever.coverage() == (("Lạng Sơn",), (2020,))


@pytest.mark.parametrize("mirror", [True, False], ids=["in-memory mirror", "Chroma fallback"])
def test_dense_search_skips_records_that_were_never_committed(
    store: ChunkStore, fake_embedder: HashEmbedder, settings: Settings, monkeypatch: pytest.MonkeyPatch, mirror: bool
) -> None:
    # Records written by an ingest that died before its commit are the nearest vectors to this
    # question, yet dense search must return only committed chunks — and still k of them.
    kg = make_meta("kien-giang.txt", province="Kiên Giang", years=(2020,))
    orphan = make_chunks(kg, [(("Chỉ tiêu",), f"Tỷ lệ hộ nghèo giảm còn {i},5%.") for i in range(20)])

    def die(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(store._manifest, "upsert", die)
    with pytest.raises(RuntimeError):
        add(store, fake_embedder, kg, orphan)
    monkeypatch.undo()

    dense_only = HybridRetriever(store, fake_embedder, settings, options=RetrievalOptions(lexical=False))
    if not mirror:  # a mirror that cannot be saved or loaded: searches go to Chroma
        monkeypatch.setattr(dense_only.dense_index, "load", lambda *_a, **_k: False)
        monkeypatch.setattr(dense_only.dense_index, "build", lambda *_a, **_k: None)
    passages = dense_only.search(orphan[0].text, k=4, filters=Filters()).passages
    assert len(passages) == 4
    assert all(p.chunk.source != "kien-giang.txt" for p in passages)
    assert (dense_only.dense_index.fingerprint == store.fingerprint()) is mirror


def test_dense_mirror_is_saved_and_agrees_with_chroma(
    store: ChunkStore, fake_embedder: HashEmbedder, settings: Settings, retriever: HybridRetriever
) -> None:
    retriever.refresh()
    fresh = HybridRetriever(store, fake_embedder, settings)
    fresh.lexical.load(store.fingerprint())
    assert fresh.dense_index.load(store.fingerprint(), len(fresh.lexical))  # from disk, no store read
    question = "tỷ lệ tham gia bảo hiểm y tế"
    for filters in (Filters(), Filters(provinces=("Trà Vinh",))):
        from_mirror = fresh.dense.search(question, k=3, filters=filters)
        from_chroma = fresh.dense._search_store(np.asarray(fake_embedder.embed_query(question)), 3, filters)
        assert [c.id for c, _ in from_mirror] == [c.id for c, _ in from_chroma]
        assert [s for _, s in from_mirror] == pytest.approx([s for _, s in from_chroma], abs=1e-4)


def test_lexical_index_is_persisted_next_to_the_store(
    store: ChunkStore, fake_embedder: HashEmbedder, settings: Settings, retriever: HybridRetriever
) -> None:
    retriever.refresh()
    saved = [p for p in (settings.store_dir / "lexical").iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(saved) == 1
    fresh = HybridRetriever(store, fake_embedder, settings)
    assert fresh.lexical.load(store.fingerprint()) and len(fresh.lexical) == len(TV_ITEMS) + len(LS_ITEMS)


def test_langchain_retriever_returns_documents_with_metadata(retriever: HybridRetriever) -> None:
    docs = EngineRetriever(engine=retriever, k=2).invoke("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh")
    assert docs[0].page_content == "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."
    md = docs[0].metadata
    assert md["province"] == "Trà Vinh" and md["source"] == "tra-vinh.txt" and md["rank"] == 1
    assert md["heading_path"][-1] == "2. Chỉ tiêu kinh tế" and md["score"] > 0
