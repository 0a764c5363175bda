"""Derived indexes are verified, damage is found by `doctor`, and `--rebuild` repairs every case.

The lexical index (BM25 + the chunks it serves) and the dense mirror are derived from Chroma; each
saved copy carries the store fingerprint and checksums. These tests edit them the way a tester did
(11 % → 99 % in a stored chunk, garbage in the vector matrix), empty the store directory, and run the
real commands (CliRunner, the tests' deterministic embedder).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nghiquyet.cli import main as cli_main
from core.config import Settings
from nghiquyet.engine import Engine
from retrieval.hybrid import DENSE_DIR, LEXICAL_DIR
from tests.conftest import CORPUS, HashEmbedder
from tests.robustness.conftest import HASH_CLI, cli_env, output, run
from tests.robustness.hash_cli import load_hash_embedder
from tests.vectorstore.builders import make_document
from vectorstore.store import open_store

TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"
TARGET = "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."
QUESTION = "Tốc độ tăng trưởng GRDP năm 2021 của Trà Vinh"
REBUILD = "nghiquyet ingest --rebuild"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    monkeypatch.setattr("vectorstore.embeddings.load_embedder", load_hash_embedder)
    yield lambda *args: CliRunner().invoke(cli_main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def indexed(tmp_path: Path, cli: Callable[..., Result]) -> tuple[Path, Path]:
    """(docs folder, store) with two corpus documents ingested and both derived indexes saved."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (TRA_VINH, LANG_SON):
        shutil.copy(CORPUS / name, docs / name)
    store = tmp_path / "store"
    assert cli("ingest", docs, "--store", store).exit_code == 0
    assert cli("search", QUESTION, "--store", store).exit_code == 0  # saves the lexical index and the mirror
    doctor = cli("doctor", "--store", store)
    assert doctor.exit_code == 0 and "Mọi thứ ổn" in doctor.output, doctor.output
    return docs, store


def _saved(store: Path, folder: str, name: str) -> Path:
    [path] = list((store / folder).glob(f"*/{name}"))
    return path


def _top_passage(store: Path) -> str:
    engine = Engine(Settings(store_dir=store))
    return engine.search(QUESTION, k=5).passages[0].chunk.text


def _edit_lexical_chunks(store: Path) -> None:
    chunks = _saved(store, LEXICAL_DIR, "chunks.jsonl")
    text = chunks.read_text(encoding="utf-8")
    assert "11% trở lên so với năm 2020" in text
    chunks.write_text(text.replace("11% trở lên so với năm 2020", "99% trở lên so với năm 2020"), encoding="utf-8")


def _garble_dense_mirror(store: Path) -> None:
    vectors = _saved(store, DENSE_DIR, "vectors.npy")
    data = bytearray(vectors.read_bytes())
    for i in range(200, len(data), 7):  # past the .npy header: the shape still reads, the numbers do not
        data[i] ^= 0x5A
    vectors.write_bytes(bytes(data))


@pytest.mark.parametrize(("damage", "found"), [
    (_edit_lexical_chunks, "không khớp tổng kiểm tra"),
    (_garble_dense_mirror, "bản sao vector đã lưu"),
])
def test_edited_derived_index_is_detected_never_served_and_rebuilt(
    damage: Callable[[Path], None], found: str, indexed: tuple[Path, Path], cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs, store = indexed
    monkeypatch.setattr("vectorstore.embeddings.load_embedder", load_hash_embedder)
    before = _top_passage(store)
    damage(store)

    doctor = cli("doctor", "--store", store)
    assert doctor.exit_code == 1, doctor.output
    assert found in output(doctor) and REBUILD in output(doctor)

    # a reader never serves the edited copy: it rebuilds from Chroma and says so
    engine = Engine(Settings(store_dir=store))
    result = engine.search(QUESTION, k=5)
    assert result.passages[0].chunk.text == before
    assert all("99% trở lên so với năm 2020" not in p.chunk.text for p in result.passages)
    assert any(found in r for r in engine.retriever.repairs)

    # the damaged copy on disk was replaced by the rebuilt one
    assert cli("doctor", "--store", store).exit_code == 0

    damage(store)  # again, and this time `--rebuild` repairs it
    rebuilt = cli("ingest", "--rebuild", docs, "--store", store)
    assert rebuilt.exit_code == 0, rebuilt.output
    doctor = cli("doctor", "--store", store)
    assert doctor.exit_code in (0,) and "Mọi thứ ổn" in doctor.output, doctor.output
    assert _top_passage(store) == before
    assert "99% trở lên so với năm 2020" not in _saved(store, LEXICAL_DIR, "chunks.jsonl").read_text(encoding="utf-8")


def test_rebuild_replaces_the_derived_indexes_even_when_the_store_is_unchanged(
    indexed: tuple[Path, Path], cli: Callable[..., Result]
) -> None:
    docs, store = indexed
    old = _saved(store, LEXICAL_DIR, "meta.json").read_text(encoding="utf-8")
    assert cli("ingest", "--rebuild", docs, "--store", store).exit_code == 0
    new = _saved(store, LEXICAL_DIR, "meta.json")
    assert json.loads(new.read_text(encoding="utf-8"))["fingerprint"] == json.loads(old)["fingerprint"]
    assert new.stat().st_mtime_ns > 0 and "checksums" in json.loads(new.read_text(encoding="utf-8"))


def test_an_emptied_store_directory_is_found_by_doctor_and_rebuilt(indexed: tuple[Path, Path], tmp_path: Path) -> None:
    docs, store = indexed
    shutil.rmtree(store / "chroma")
    (store / "chroma").mkdir()
    env = cli_env(store)  # fresh processes: this one's Chroma client still holds the old data in memory

    doctor = run([*HASH_CLI, "doctor"], env, tmp_path)
    assert doctor.returncode == 1, output(doctor)
    assert "kho vector trống nhưng chỉ mục từ vựng đã lưu còn" in output(doctor) and REBUILD in output(doctor)
    assert "Traceback" not in output(doctor)

    assert run([*HASH_CLI, "ingest", "--rebuild", str(docs)], env, tmp_path).returncode == 0
    doctor = run([*HASH_CLI, "doctor"], env, tmp_path)
    assert doctor.returncode == 0 and "2 tài liệu" in output(doctor), output(doctor)


def test_doctor_on_a_store_with_no_document_is_not_ready(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doctor = cli("doctor", "--store", tmp_path / "new-store")
    assert doctor.exit_code == 1
    assert "chưa có tài liệu nào" in output(doctor) and "nghiquyet ingest" in output(doctor)
    assert "Traceback" not in output(doctor)


def test_identical_chunks_do_not_make_the_readiness_check_flip(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Twelve documents whose passages are word for word the same: equal vectors, arbitrary tie order."""
    settings = Settings(store_dir=tmp_path / "store")
    embedder = HashEmbedder()
    store = open_store(settings, embedder)
    texts = [TARGET, "Tỷ lệ hộ nghèo giảm bình quân 1% mỗi năm theo chuẩn nghèo đa chiều."]
    for n in range(12):
        meta, chunks = make_document(f"ban-{n:02d}.txt", texts, salt=str(n))
        # vectors of the passage alone: the same text, the same vector in every document
        store.add_document(meta, chunks, embedder.embed_passages([c.text for c in chunks]))
    for _ in range(3):
        assert store.health() == []
    store.close()
    codes = [cli("doctor", "--store", settings.store_dir).exit_code for _ in range(3)]
    assert codes == [0, 0, 0]


def test_after_an_interrupted_ingest_doctor_says_one_thing(
    indexed: tuple[Path, Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records written, commit never made (what kill -9 between the two leaves): a notice, not damage."""
    _, store_dir = indexed
    settings = Settings(store_dir=store_dir)
    embedder = HashEmbedder()
    store = open_store(settings, embedder)
    meta, chunks = make_document("dang-nap.txt", [TARGET, "Một đoạn khác của tài liệu đang nạp dở."])

    class Killed(Exception):
        pass

    def killed(**_: object) -> None:
        raise Killed

    store._collections()  # noqa: SLF001 - the commit is what the "kill" interrupts
    monkeypatch.setattr(store._manifest, "upsert", killed)
    with pytest.raises(Killed):
        store.add_document(meta, chunks, embedder.embed_passages([c.index_text for c in chunks]))
    store.close()

    doctor = cli("doctor", "--store", store_dir)
    text = output(doctor)
    assert doctor.exit_code == 0, text
    assert "lần nạp tiếp theo sẽ tự dọn" in text and "--rebuild" not in text and "hỏng" not in text
