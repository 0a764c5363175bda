"""Document identity: a document is the file it came from, never just its name.

Two files named alike from two folders are two documents; re-ingesting a file updates its document;
the same bytes under a second name are noticed once; a decomposed (NFD) name is found by typing it.
The files are real corpus documents (or a corpus document retold for another province) written by
the test into folders of its own.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from nghiquyet.cli import main as cli_main
from core.config import Settings
from nghiquyet.engine import Engine
from tests.conftest import CORPUS
from tests.robustness.hash_cli import load_hash_embedder

TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"
SAME_NAME = "nghi-quyet.txt"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr("vectorstore.embeddings.load_embedder", load_hash_embedder)
    return Engine(Settings(store_dir=tmp_path / "store"))


def _copy(source: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / source, target)
    return target


def test_same_file_name_from_another_folder_is_a_new_document(engine: Engine, tmp_path: Path) -> None:
    first = _copy(TRA_VINH, tmp_path / "a" / SAME_NAME)
    second = _copy(LANG_SON, tmp_path / "b" / SAME_NAME)

    assert [r.status for r in engine.ingest([first]).results] == ["added"]
    report = engine.ingest([second])
    assert [(r.source, r.status) for r in report.results] == [(f"b/{SAME_NAME}", "added")]

    provinces = {d.meta.source: d.meta.province for d in engine.documents()}
    assert provinces == {SAME_NAME: "Trà Vinh", f"b/{SAME_NAME}": "Lạng Sơn"}
    # both are retrievable, each cited under its own identity
    tra_vinh = engine.search("Trà Vinh tăng trưởng kinh tế", k=3)
    assert not tra_vinh.analysis.unknown_provinces
    assert {p.chunk.source for p in tra_vinh.passages} == {SAME_NAME}
    lang_son = engine.search("Lạng Sơn tăng trưởng kinh tế", k=3)
    assert {p.chunk.source for p in lang_son.passages} == {f"b/{SAME_NAME}"}


def test_reingesting_the_same_file_updates_its_document(engine: Engine, tmp_path: Path) -> None:
    path = _copy(TRA_VINH, tmp_path / "a" / SAME_NAME)
    engine.ingest([path])
    assert [r.status for r in engine.ingest([path]).results] == ["unchanged"]
    path.write_text(path.read_text(encoding="utf-8") + "\nPhụ lục: bổ sung một dòng mới.\n", encoding="utf-8")
    report = engine.ingest([path])
    assert [(r.source, r.status) for r in report.results] == [(SAME_NAME, "updated")]
    assert [d.meta.source for d in engine.documents()] == [SAME_NAME]


def test_same_content_under_two_names_is_indexed_once_and_reported(engine: Engine, tmp_path: Path) -> None:
    _copy(TRA_VINH, tmp_path / "docs" / TRA_VINH)
    _copy(TRA_VINH, tmp_path / "docs" / "ban-sao.txt")  # sorts first: it is the one indexed
    report = engine.ingest([tmp_path / "docs"])
    statuses = {r.source: (r.status, r.reason) for r in report.results}
    assert statuses["ban-sao.txt"] == ("added", None)
    assert statuses[TRA_VINH][0] == "skipped"
    assert "cùng nội dung với «ban-sao.txt»" in (statuses[TRA_VINH][1] or "")
    assert [d.meta.source for d in engine.documents()] == ["ban-sao.txt"]
    # reported once in the closing summary, on a line of its own
    assert report.summary().count(TRA_VINH) == 1
    assert f"\n- {TRA_VINH}: cùng nội dung" in report.summary()


def test_decomposed_file_name_is_stored_nfc_and_deleted_by_typing_it(engine: Engine, tmp_path: Path) -> None:
    composed = "nghị-quyết-trà-vinh.txt"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    path = _copy(TRA_VINH, tmp_path / "zip" / decomposed)
    engine.ingest([path])
    assert [d.meta.source for d in engine.documents()] == [composed]

    result = CliRunner().invoke(cli_main, ["delete", composed, "--store", str(engine.settings.store_dir)])
    assert result.exit_code == 0, result.output
    assert "Đã xoá" in result.output
    assert Engine(engine.settings).documents() == []


def test_documents_lists_the_identity_and_the_file(engine: Engine, tmp_path: Path) -> None:
    engine.ingest([_copy(TRA_VINH, tmp_path / "a" / SAME_NAME), _copy(LANG_SON, tmp_path / "b" / SAME_NAME)])
    result = CliRunner().invoke(cli_main, ["documents", "--json", "--store", str(engine.settings.store_dir)])
    assert result.exit_code == 0, result.output
    import json

    listed = {d["source"]: d["file"] for d in json.loads(result.output)}
    assert listed == {SAME_NAME: str((tmp_path / "a" / SAME_NAME).resolve()),
                      f"b/{SAME_NAME}": str((tmp_path / "b" / SAME_NAME).resolve())}
