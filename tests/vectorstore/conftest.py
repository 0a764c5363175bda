"""Fixtures for store tests: settings and an open store on a per-test directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from tests.conftest import HashEmbedder
from vectorstore.store import ChunkStore, open_store


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


@pytest.fixture
def store(settings: Settings, fake_embedder: HashEmbedder) -> Iterator[ChunkStore]:
    s = open_store(settings, fake_embedder)
    yield s
    s.close()
