"""A question set kept outside the repository: its JSONL questions, its documents, thresholds in our YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import QuestionFileError
from nghiquyet.evaluation.external import read_jsonl_questions
from nghiquyet.evaluation.questions import load_questions

ROWS = [
    {
        "id": "hg01",
        "question": "Tốc độ tăng trưởng GRDP năm 2020 của Hà Giang đạt bao nhiêu?",
        "province": "Hà Giang",
        "doc": "hagiang_daihoi.txt",
        "answer": "Ước đạt 1,5%",
        "must_contain": ["1,5%"],
        "evidence": ["tốc độ tăng trưởng kinh tế ước đạt 1,5%"],
        "kind": "result",
    },
    {
        "id": "hg02",
        "question": "GRDP là gì trong nghị quyết của Hà Giang?",
        "province": "Hà Giang",
        "doc": "hagiang_daihoi.txt",
        "answer": "Tổng sản phẩm trên địa bàn",
        "must_contain": [],
        "evidence": ["GRDP"],
        "kind": "abbrev",
    },
    {
        "id": "cmp01",
        "question": "So sánh thu ngân sách năm 2020 của Hà Giang và Yên Bái",
        "province": "Hà Giang; Yên Bái",
        "doc": "hagiang_daihoi.txt; yenbai_tinhuy.txt",
        "answer": "Hà Giang 2.600 tỷ đồng, Yên Bái 4.100 tỷ đồng",
        "must_contain": ["2.600", "4.100"],
        "evidence": ["thu ngân sách đạt 2.600 tỷ đồng", "thu ngân sách 4.100 tỷ đồng"],
        "kind": "compare",
    },
    {
        "id": "un01",
        "question": "Tỷ lệ hộ nghèo của Hà Giang năm 2035?",
        "province": "Hà Giang",
        "doc": "",
        "answer": "",
        "must_contain": [],
        "evidence": [],
        "kind": "unanswerable",
    },
]


def write_set(root: Path, rows: list[dict[str, object]] | None = None, *, extra: str = "") -> Path:
    """A shared folder with documents and questions beside a repository holding only the YAML."""
    shared = root / "shared" / "dev"
    (shared / "docs").mkdir(parents=True)
    lines = [json.dumps(r, ensure_ascii=False) for r in (ROWS if rows is None else rows)]
    (shared / "questions.jsonl").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    yaml_file = root / "repo" / "regression" / "dev.yaml"
    yaml_file.parent.mkdir(parents=True)
    yaml_file.write_text(
        "version: 1\nthresholds:\n  hit_at_5: 0.95\n  answer_accuracy: 0.7\n"
        "questions_from: ../../shared/dev/questions.jsonl\ndocuments:\n  - ../../shared/dev/docs\n" + extra,
        encoding="utf-8",
    )
    return yaml_file


def test_an_external_set_reads_its_questions_documents_and_thresholds(tmp_path: Path) -> None:
    qs = load_questions(write_set(tmp_path))
    assert qs.external
    assert dict(qs.thresholds) == {"hit_at_5": 0.95, "answer_accuracy": 0.7}
    # Paths are relative to the YAML file, not to the working directory.
    assert [d.resolve() for d in qs.documents] == [(tmp_path / "shared" / "dev" / "docs").resolve()]
    assert [q.id for q in qs.questions] == ["hg01", "hg02", "cmp01", "un01"]  # the blank last line is no question
    first = qs.get("hg01")
    assert first is not None
    assert (first.question, first.kind, first.expected, first.sources, first.evidence) == (
        "Tốc độ tăng trưởng GRDP năm 2020 của Hà Giang đạt bao nhiêu?",
        "result",
        ("1,5%",),
        ("hagiang_daihoi.txt",),
        ("tốc độ tăng trưởng kinh tế ước đạt 1,5%",),
    )


def test_the_sets_kinds_are_read_in_this_projects_names(tmp_path: Path) -> None:
    qs = load_questions(write_set(tmp_path))
    assert [q.kind for q in qs.questions] == ["result", "abbreviation", "compare", "unanswerable"]
    assert set(qs.kinds) == {"result", "abbreviation", "compare", "unanswerable"}


def test_a_comparison_names_each_of_its_documents_and_an_unanswerable_one_none(tmp_path: Path) -> None:
    qs = load_questions(write_set(tmp_path))
    compare, unanswerable = qs.get("cmp01"), qs.get("un01")
    assert compare is not None and unanswerable is not None
    assert compare.sources == ("hagiang_daihoi.txt", "yenbai_tinhuy.txt")
    assert compare.expected == ("2.600", "4.100")
    assert (unanswerable.sources, unanswerable.expected, unanswerable.answerable) == ((), (), False)


def test_an_unknown_kind_is_refused_naming_its_line(tmp_path: Path) -> None:
    rows = [ROWS[0], {**ROWS[1], "kind": "opinion"}]
    with pytest.raises(QuestionFileError) as err:
        load_questions(write_set(tmp_path, rows))
    assert "dòng 2" in str(err.value) and "opinion" in str(err.value)


def test_a_line_that_is_not_a_question_is_refused_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    good = json.dumps(ROWS[0], ensure_ascii=False)
    for bad in ('{"id": "x1", "kind": "result"}', "{not json", '["a list"]'):
        path.write_text(f"{good}\n{bad}\n", encoding="utf-8")
        with pytest.raises(QuestionFileError) as err:
            read_jsonl_questions(path)
        assert "dòng 2 không đúng định dạng" in str(err.value), bad


def test_a_missing_or_empty_question_file_says_so(tmp_path: Path) -> None:
    yaml_file = write_set(tmp_path)
    (tmp_path / "shared" / "dev" / "questions.jsonl").unlink()
    with pytest.raises(QuestionFileError) as err:
        load_questions(yaml_file)
    assert "Không tìm thấy tệp câu hỏi" in str(err.value) and "questions_from" in (err.value.hint or "")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="không có câu hỏi nào"):
        read_jsonl_questions(empty)


def test_a_single_figure_written_as_text_stays_one_figure(tmp_path: Path) -> None:
    # must_contain / evidence as one string rather than a list of one: never split into characters.
    path = tmp_path / "q.jsonl"
    row = {**ROWS[0], "must_contain": "1,5%", "evidence": "tốc độ tăng trưởng kinh tế ước đạt 1,5%"}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (question,) = read_jsonl_questions(path)
    assert question.expected == ("1,5%",)
    assert question.evidence == ("tốc độ tăng trưởng kinh tế ước đạt 1,5%",)
