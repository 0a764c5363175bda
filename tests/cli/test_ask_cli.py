"""`nghiquyet ask` through the CLI: human and JSON output, filters, batch mode, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nghiquyet.cli import main
from tests.helpers import ingest_corpus

QUESTION = "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# --- fast: argument and question checks happen before any model loads ---------------------------

def test_a_question_or_a_batch_is_required() -> None:
    code, _, err = run("ask")
    assert code == 2 and "một câu hỏi, hoặc --batch" in err


def test_punctuation_only_question_is_refused_with_a_vietnamese_message() -> None:
    code, _, err = run("ask", "?!...")
    assert code == 1
    assert "Câu hỏi không có chữ hay số nào để tìm." in err


def test_empty_question_is_refused() -> None:
    code, _, err = run("ask", "   ")
    assert code == 1 and "Câu hỏi đang để trống." in err


def test_unknown_province_filter_is_a_usage_error() -> None:
    code, _, err = run("ask", QUESTION, "--province", "Atlantis")
    assert code == 2 and "không nhận ra tên tỉnh" in err


# --- slow: the real corpus and the real embedder -------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ask-cli") / "store"
    engine = ingest_corpus(directory)
    engine.store.close()
    return directory


@pytest.mark.slow
def test_json_answer_has_the_documented_shape(store: Path) -> None:
    code, out, _ = run("ask", QUESTION, "--json", "--store", str(store))
    assert code == 0
    data = json.loads(out)  # exactly one object
    assert {"question", "answer", "refused", "citations", "passages", "latency_ms"} <= set(data)
    assert data["refused"] is False and "11%" in data["answer"] and "[1]" in data["answer"]
    first = data["citations"][0]
    assert {"n", "text", "source", "title", "heading_path", "location", "province", "years"} <= set(first)
    assert first["n"] == 1 and first["province"] == "Trà Vinh"
    assert "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020" in first["text"]
    assert any("2021" in h for h in first["heading_path"])
    assert data["passages"] and all("score" in p for p in data["passages"])


@pytest.mark.slow
@pytest.mark.parametrize("question", ["tra vinh grdp 2021", "What is Tra Vinh's 2021 GRDP growth target?"])
def test_unaccented_and_english_forms(store: Path, question: str) -> None:
    code, out, _ = run("ask", question, "--json", "--store", str(store))
    data = json.loads(out)
    assert code == 0 and not data["refused"]
    assert "11%" in data["answer"]
    assert "Tốc độ tăng trưởng GRDP từ 11% trở lên" in data["citations"][0]["text"]


@pytest.mark.slow
def test_province_outside_the_corpus_is_refused_naming_what_exists(store: Path) -> None:
    code, out, _ = run("ask", "Chỉ tiêu tăng trưởng GRDP năm 2021 của Bến Tre?", "--json", "--store", str(store))
    data = json.loads(out)
    assert code == 0 and data["refused"] is True and data["citations"] == []
    assert data["answer"].startswith("Không tìm thấy thông tin này trong các tài liệu hiện có.")
    for province in ("Trà Vinh", "Sóc Trăng", "Lạng Sơn", "Kiên Giang", "Hậu Giang"):
        assert province in data["answer"]


@pytest.mark.slow
def test_human_output_shows_answer_then_numbered_sources(store: Path) -> None:
    code, out, _ = run("ask", QUESTION, "--store", str(store))
    assert code == 0
    answer_at, sources_at = out.index("11%"), out.index("Nguồn:")
    assert answer_at < sources_at
    assert "[1]" in out[sources_at:] and "Trà Vinh" in out[sources_at:]
    assert "CÁC CHỈ TIÊU" in out[sources_at:]  # the section path
    assert "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020" in out[sources_at:]


@pytest.mark.slow
def test_province_flag_restricts_the_answer(store: Path) -> None:
    code, out, _ = run(
        "ask", "Chỉ tiêu tăng trưởng kinh tế năm 2020?", "--province", "lang son", "--json", "--store", str(store)
    )
    data = json.loads(out)
    assert code == 0 and not data["refused"]
    assert "8,5 – 9%" in data["answer"]
    assert {c["province"] for c in data["citations"]} == {"Lạng Sơn"}


@pytest.mark.slow
def test_batch_answers_every_good_line_and_reports_bad_ones(store: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text(
        "\n".join(
            [
                json.dumps({"id": "tv", "question": QUESTION}, ensure_ascii=False),
                "{not json",
                json.dumps({"id": "ls", "question": "Tổng thu ngân sách nhà nước Lạng Sơn năm 2020?"}, ensure_ascii=False),
                json.dumps({"question": "thiếu id"}, ensure_ascii=False),
                json.dumps({"id": "empty", "question": "  "}, ensure_ascii=False),
                json.dumps({"id": "bt", "question": "Tỷ lệ hộ nghèo Bến Tre năm 2020?"}, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out_file = tmp_path / "out" / "answers.jsonl"
    code, _, err = run("ask", "--batch", str(questions), "--out", str(out_file), "--store", str(store))
    assert code == 1  # every good line answered; the exit code says some were not
    assert "Dòng 2" in err and "Dòng 4" in err  # bad lines reported, not fatal
    records = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["tv", "ls", "empty", "bt"]
    by_id = {r["id"]: r for r in records}
    assert "11%" in by_id["tv"]["answer"] and by_id["tv"]["citations"]
    assert "6.150,1" in by_id["ls"]["answer"]
    assert by_id["empty"]["error"].startswith("Câu hỏi đang để trống.")
    assert by_id["bt"]["refused"] is True
