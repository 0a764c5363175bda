"""Bytes that are not UTF-8 and bad batch lines: one Vietnamese message each, the rest answered.

The commands run in their own processes (the tests' deterministic embedder), so a question given
as raw bytes on the command line reaches the program exactly as a terminal with another encoding
would send it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.robustness.conftest import HASH_CLI, assert_refused, cli_env, output, run

KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"
QUESTION = "Sản lượng lương thực Kiên Giang năm 2020 phấn đấu bao nhiêu tấn?"
BAD_BYTES = "có byte không phải UTF-8"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad-bytes")
    (root / "docs").mkdir()
    shutil.copy(CORPUS / KIEN_GIANG, root / "docs" / KIEN_GIANG)
    done = run([*HASH_CLI, "ingest", str(root / "docs")], cli_env(root / "store"), root)
    assert done.returncode == 0, output(done)
    return root / "store"


@pytest.mark.parametrize("command", ["ask", "search"])
def test_a_question_that_is_not_utf8_is_refused_with_the_fix(command: str, store: Path, tmp_path: Path) -> None:
    question = "Kiên Giang sản lượng".encode("cp1258", errors="replace") + b" l\xfd\xfe"
    result = run([*HASH_CLI, command, question.decode("utf-8", "surrogateescape")], cli_env(store), tmp_path)
    assert_refused(result, f"Câu hỏi {BAD_BYTES}")
    assert "LANG=C.UTF-8" in output(result) and "UnicodeEncodeError" not in output(result)


def test_bad_batch_lines_are_reported_and_skipped_and_the_rest_answered(store: Path, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "dau", "question": QUESTION}, ensure_ascii=False).encode("utf-8"),
        b'{"id": "byte-hong", "question": "S\xe1n l\xff\xfeng"}',                 # one bad byte (Latin-1 editor)
        b'{"id": "nua-cap", "question": "Kien Giang \\ud800 san luong"}',       # a lone surrogate escape
        json.dumps({"id": "nam-chu", "question": QUESTION, "year": "abc"}).encode("utf-8"),
        b"{khong phai json",
        json.dumps({"id": "cuoi", "question": QUESTION}, ensure_ascii=False).encode("utf-8"),
    ]
    batch = tmp_path / "cau-hoi.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    answers = tmp_path / "tra-loi.jsonl"

    result = run([*HASH_CLI, "ask", "--batch", str(batch), "--out", str(answers)], cli_env(store), tmp_path)
    text = output(result)
    assert result.returncode == 1, text
    assert "Traceback" not in text and "invalid literal" not in text and "Expecting" not in text
    assert f"Dòng 2 của cau-hoi.jsonl: {BAD_BYTES} (byte 0xe1" in text
    assert "Dòng 3 của cau-hoi.jsonl: có ký tự không hợp lệ" in text
    assert 'Dòng 4 (id=nam-chu): "year": "abc" không phải năm hợp lệ' in text
    assert "Dòng 5 của cau-hoi.jsonl: không phải JSON hợp lệ" in text
    assert "Đã trả lời 2 câu hỏi, 4 dòng lỗi" in text

    records = {r["id"]: r for r in map(json.loads, answers.read_text(encoding="utf-8").splitlines())}
    assert set(records) == {"dau", "nam-chu", "cuoi"}
    for key in ("dau", "cuoi"):
        assert "4.295.000 tấn" in records[key]["answer"]
    assert "không phải năm hợp lệ" in records["nam-chu"]["error"]
