"""Fixtures for the app tests: an ingested corpus store, app settings in the environment, a tree walker."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EMBED_CACHE, REPO

APP = REPO / "app.py"
LIBRARY_PAGE = "pages/library.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled corpus, embedded with the real model (shared; never modified)."""
    from tests.helpers import ingest_corpus

    store = tmp_path_factory.mktemp("app-corpus-store")
    ingest_corpus(store)
    return store


@pytest.fixture
def app_files(tmp_path: Path) -> dict[str, Path]:
    """Per-test feedback file and a copy of the regression question file (the repo's stays untouched)."""
    questions = tmp_path / "questions.yaml"
    shutil.copy(REPO / "regression" / "questions.yaml", questions)
    return {"feedback": tmp_path / "feedback.jsonl", "questions": questions}


@pytest.fixture
def app_env(corpus_store: Path, app_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app, run in this process by AppTest, reads its settings from these variables."""
    monkeypatch.setenv("NGHIQUYET_STORE_DIR", str(corpus_store))
    monkeypatch.setenv("NGHIQUYET_EMBEDDING_CACHE_DIR", str(EMBED_CACHE))
    monkeypatch.setenv("NGHIQUYET_FEEDBACK_FILE", str(app_files["feedback"]))
    monkeypatch.setenv("NGHIQUYET_QUESTIONS_FILE", str(app_files["questions"]))
    return corpus_store


def walk(node) -> Iterator:  # type: ignore[no-untyped-def]
    """Every element and block under an AppTest node, depth first, in display order."""
    children = getattr(node, "children", None)
    yield node
    if children:
        for key in sorted(children):
            yield from walk(children[key])


def blocks_of_type(node, block_type: str) -> list:  # type: ignore[no-untyped-def]
    return [n for n in walk(node) if getattr(n, "type", None) == block_type and hasattr(n, "children")]


def texts(node) -> list[str]:  # type: ignore[no-untyped-def]
    """Markdown/caption/alert bodies under a node."""
    out = []
    for n in walk(node):
        value = getattr(n, "value", None)
        if isinstance(value, str) and getattr(n, "type", "") in ("markdown", "caption", "error", "warning", "info", "success"):
            out.append(value)
        elif getattr(n, "type", "") in ("error", "warning", "info", "success") and hasattr(n, "proto"):
            out.append(n.proto.body)
    return out
