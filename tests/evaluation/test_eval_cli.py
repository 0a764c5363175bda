"""`nghiquyet eval` paths that need no model: the file check, a missing file, an empty index."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from nghiquyet.cli import main


def test_check_passes_on_the_real_question_set(questions_file: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(questions_file), "--check"])
    assert result.exit_code == 0, result.output
    assert "câu hỏi hợp lệ" in result.output


def test_check_fails_naming_the_question_with_a_wrong_quote(questions_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "questions.yaml"
    text = questions_file.read_text(encoding="utf-8")
    assert "GRDP bình quân đầu người đạt 69 triệu đồng" in text
    broken.write_text(text.replace("GRDP bình quân đầu người đạt 69 triệu đồng", "GRDP bình quân đầu người đạt 96 triệu đồng"), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(broken), "--check"])
    assert result.exit_code == 1
    assert "tv-2021-grdp-per-capita-target" in result.output
    assert "96 triệu đồng" in result.output


def test_check_uses_the_corpus_option(questions_file: Path, tmp_path: Path, corpus_dir: Path) -> None:
    partial = tmp_path / "corpus"
    partial.mkdir()
    shutil.copy(corpus_dir / "kien-giang-nq-27-nhiem-vu-2020.txt", partial)
    result = CliRunner().invoke(main, ["eval", str(questions_file), "--check", "--corpus", str(partial)])
    assert result.exit_code == 1
    assert "tra-vinh-tuyen-truyen-2020-2021.txt" in result.output


def test_missing_question_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1
    assert "Không tìm thấy tệp câu hỏi" in result.output


def test_empty_index_tells_the_user_to_ingest(questions_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(questions_file), "--store", str(tmp_path / "empty")])
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # rich wraps long paths at the terminal width
    assert "chưa có tài liệu" in output
    assert "nghiquyet ingest data/corpus" in output and "--ingest" in output
