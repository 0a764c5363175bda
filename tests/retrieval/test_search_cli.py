"""`nghiquyet search` through CliRunner, on a store filled with hand-made chunks and the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import vectorstore.embeddings
from nghiquyet.cli import main
from core.config import Settings
from tests.conftest import HashEmbedder
from tests.retrieval.factory import make_chunks, make_meta
from vectorstore.store import open_store

TV = make_meta("tra-vinh.txt", province="Trà Vinh", years=(2020, 2021), plan_years=(2021,), report_years=(2020,))
ITEMS = [
    (("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020", "I- KẾT QUẢ ĐẠT ĐƯỢC", "4. Lĩnh vực kinh tế"),
     "Tốc độ tăng trưởng GRDP đạt 3,32% (Nghị quyết tăng 11% trở lên)."),
    (("B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021", "I. CÁC CHỈ TIÊU CHỦ YẾU", "2. Chỉ tiêu kinh tế"),
     "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."),
    (("B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021", "I. CÁC CHỈ TIÊU CHỦ YẾU", "2. Chỉ tiêu kinh tế"),
     "Phát triển mới 500 doanh nghiệp [bold]không phải markup[/bold]."),
]


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    embedder = HashEmbedder()
    monkeypatch.setattr(vectorstore.embeddings, "load_embedder", lambda settings: embedder)
    directory = tmp_path / "store"
    store = open_store(Settings(store_dir=directory), embedder)
    chunks = make_chunks(TV, ITEMS)
    store.add_document(TV, chunks, embedder.embed_passages([c.index_text for c in chunks]))
    store.close()
    return directory


def test_json_output_has_the_documented_shape(store_dir: Path) -> None:
    run = CliRunner().invoke(
        main, ["search", "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh", "--k", "2", "--json", "--store", str(store_dir)]
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert set(data) == {"query", "analysis", "results"}
    assert data["analysis"]["provinces"] == ["Trà Vinh"] and data["analysis"]["intent"] == "target"
    first = data["results"][0]
    assert {"text", "source", "title", "heading_path", "location", "province", "years", "score"} <= set(first)
    assert first["text"] == "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."
    assert first["heading_path"][-1] == "2. Chỉ tiêu kinh tế" and first["province"] == "Trà Vinh"
    assert len(data["results"]) == 2 and data["results"][0]["score"] >= data["results"][1]["score"]


def test_human_output_shows_rank_source_heading_and_raw_text(store_dir: Path) -> None:
    run = CliRunner().invoke(main, ["search", "phát triển doanh nghiệp", "--store", str(store_dir)])
    assert run.exit_code == 0, run.output
    assert "#1" in run.output and "tra-vinh.txt" in run.output and "Chỉ tiêu kinh tế" in run.output
    assert "[bold]không phải markup[/bold]" in run.output  # document text is printed, never interpreted


def test_province_and_year_flags_filter(store_dir: Path) -> None:
    run = CliRunner().invoke(main, ["search", "GRDP", "--province", "ben tre", "--json", "--store", str(store_dir)])
    assert run.exit_code == 0 and json.loads(run.output)["results"] == []
    run = CliRunner().invoke(main, ["search", "GRDP", "--province", "tra vinh", "--year", "2021", "--json", "--store", str(store_dir)])
    assert run.exit_code == 0 and json.loads(run.output)["results"]
    bad = CliRunner().invoke(main, ["search", "GRDP", "--province", "Atlantis", "--store", str(store_dir)])
    assert bad.exit_code == 2 and "không nhận ra" in bad.output


def test_bad_questions_get_a_message_not_a_traceback(store_dir: Path) -> None:
    for question in ("", "???", "x" * 10_000):
        run = CliRunner().invoke(main, ["search", question, "--store", str(store_dir)])
        assert run.exit_code == 1
        assert "Lỗi" in run.output and "Traceback" not in run.output
