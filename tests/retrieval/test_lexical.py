"""BM25 index: accent-exact and accent-free matching, hard filters, persistence tied to a fingerprint."""

from __future__ import annotations

from pathlib import Path

from retrieval.lexical import LexicalIndex
from retrieval.models import Filters
from retrieval.tokenize import query_tokens
from tests.retrieval.factory import make_chunks, make_meta

TV = make_meta("tra-vinh.txt", province="Trà Vinh", years=(2020, 2021))
ST = make_meta("soc-trang.txt", province="Sóc Trăng", years=(2019, 2020))

CHUNKS = make_chunks(
    TV,
    [
        (("7. Công tác nội chính",), "VKSND thực hành quyền công tố, kiểm sát xét xử sơ thẩm 425 vụ án/634 bị cáo."),
        (("5. Chỉ tiêu quốc phòng - an ninh",), "Giữ vững ổn định chính trị, trật tự, an toàn xã hội; bảo đảm an ninh."),
        (("5. Lĩnh vực văn hóa - xã hội",), "Thực hiện tốt việc tổ chức và thi đấu thể dục, thể thao."),
        (("Mục tiêu",), "Xây dựng thế trận an ninh nhân dân vững chắc."),
        (("2. Chỉ tiêu kinh tế",), "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."),
    ],
) + make_chunks(
    ST,
    [
        (("II- CHỈ TIÊU",), "(1) Tốc độ tăng trưởng kinh tế từ 7,5% trở lên."),
        (("II- CHỈ TIÊU",), "(11) Thu ngân sách nhà nước đạt 3.683,5 tỷ đồng."),
    ],
)


def index(tmp_path: Path) -> LexicalIndex:
    idx = LexicalIndex(tmp_path / "lexical")
    idx.build(CHUNKS, "fp-1")
    return idx


def top_texts(idx: LexicalIndex, question: str, k: int = 10, filters: Filters = Filters()) -> list[str]:
    return [c.text for c, _ in idx.search([(query_tokens(question), 1.0)], k=k, filters=filters)]


def test_accented_query_does_not_merge_distinct_words(tmp_path: Path) -> None:
    idx = index(tmp_path)
    an = top_texts(idx, "vụ án")
    assert an and "425 vụ án" in an[0]
    assert not any("an ninh" in t and "án" not in t for t in an)  # "án" never matches "an"
    the = top_texts(idx, "thể thao")
    assert the[0].startswith("Thực hiện tốt") and not any("thế trận" in t for t in the)  # thể ≠ thế
    the_tran = top_texts(idx, "thế trận")
    assert the_tran[0].startswith("Xây dựng thế trận") and not any("thể thao" in t for t in the_tran)


def test_unaccented_query_matches_accented_text(tmp_path: Path) -> None:
    idx = index(tmp_path)
    assert "425 vụ án" in top_texts(idx, "vu an xet xu")[0]
    assert "11%" in top_texts(idx, "tra vinh toc do tang truong grdp")[0]
    # Unaccented "the" is allowed to mean either word: both are found.
    found = top_texts(idx, "the")
    assert any("thể thao" in t for t in found) and any("thế trận" in t for t in found)


def test_numbers_match_as_written(tmp_path: Path) -> None:
    idx = index(tmp_path)
    assert top_texts(idx, "3.683,5 tỷ đồng")[0].startswith("(11)")
    assert top_texts(idx, "7,5%")[0].startswith("(1)")


def test_province_year_and_source_filters_are_hard(tmp_path: Path) -> None:
    idx = index(tmp_path)
    only_st = top_texts(idx, "tốc độ tăng trưởng", filters=Filters(provinces=("Sóc Trăng",)))
    assert only_st == ["(1) Tốc độ tăng trưởng kinh tế từ 7,5% trở lên."]
    assert top_texts(idx, "tốc độ tăng trưởng", filters=Filters(years=(2021,))) == [CHUNKS[4].text]
    assert top_texts(idx, "tốc độ tăng trưởng", filters=Filters(sources=("nowhere.txt",))) == []
    assert top_texts(idx, "tốc độ tăng trưởng", filters=Filters(provinces=("Bến Tre",))) == []


def test_index_is_saved_per_fingerprint_and_reloaded(tmp_path: Path) -> None:
    index(tmp_path)
    again = LexicalIndex(tmp_path / "lexical")
    assert again.load("fp-1")
    assert again.fingerprint == "fp-1" and again.chunks == CHUNKS
    assert top_texts(again, "vụ án")[0] == CHUNKS[0].text
    assert not LexicalIndex(tmp_path / "lexical").load("fp-2")  # another state of the store: not this index


def test_sync_rebuilds_only_when_the_fingerprint_changes(tmp_path: Path) -> None:
    idx = index(tmp_path)
    calls: list[int] = []

    def chunks_of_store() -> list:
        calls.append(1)
        return CHUNKS[:2]

    assert not idx.sync("fp-1", chunks_of_store) and not calls
    assert idx.sync("fp-2", chunks_of_store) and len(calls) == 1 and len(idx) == 2
    # The older state's directory is replaced by the newer one.
    assert len([p for p in (tmp_path / "lexical").iterdir() if p.is_dir()]) == 1


def test_damaged_saved_index_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    index(tmp_path)
    for meta in (tmp_path / "lexical").glob("*/chunks.jsonl"):
        meta.write_text("{not json", encoding="utf-8")
    idx = LexicalIndex(tmp_path / "lexical")
    assert not idx.load("fp-1")
    assert idx.sync("fp-1", lambda: CHUNKS) and len(idx) == len(CHUNKS)


def test_empty_index_and_empty_query(tmp_path: Path) -> None:
    idx = LexicalIndex(tmp_path / "lexical")
    idx.build([], "empty")
    assert idx.search([(query_tokens("GRDP"), 1.0)], k=5) == []
    assert index(tmp_path).search([([], 1.0)], k=5) == []
