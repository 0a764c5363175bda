"""Regenerate the vectors shipped beside the bundled corpus (`make vectors`).

    python -m nghiquyet.corpus_vectors [--corpus data/corpus]

Run it after a change of the corpus, of chunking or of `embed_context`: a test fails with this command
in its message when the shipped file no longer covers what ingestion would embed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ingest.pipeline import prepare_document
from core.config import Settings
from vectorstore.bundled import bundled_vectors_path, write_bundled_vectors
from vectorstore.cache import text_key
from vectorstore.embeddings import Embedder, make_embedder

REGENERATE = "make vectors  (python -m nghiquyet.corpus_vectors)"


def corpus_embed_texts(corpus_dir: Path, settings: Settings) -> dict[str, str]:
    """cache key → text, for every passage ingestion of the corpus would embed with these settings."""
    chunks = [chunk for path in sorted(Path(corpus_dir).iterdir()) if path.is_file()
              for chunk in prepare_document(path, settings).chunks]
    texts = [c.embed_text(settings.embed_context) for c in chunks]
    texts.extend(d for c in chunks if (d := c.doc_embed_text(settings.embed_context)))
    return {text_key(t): t for t in texts}


def write_corpus_vectors(settings: Settings, embedder: Embedder) -> Path:
    texts = corpus_embed_texts(settings.corpus_dir, settings)
    vectors = embedder.embed_passages(list(texts.values()))
    path = bundled_vectors_path(settings.corpus_dir)
    write_bundled_vectors(path, embedder.name, settings.embed_context, dict(zip(texts, vectors)))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = Settings() if args.corpus is None else Settings(corpus_dir=args.corpus)
    # The model itself, no cache: the file holds what the embedder produces, not what a cache remembers.
    embedder = make_embedder(settings.embedding_model, settings)
    path = write_corpus_vectors(settings, embedder)
    print(f"{path}: {len(corpus_embed_texts(settings.corpus_dir, settings))} vectors "
          f"({embedder.name}, embed_context={settings.embed_context})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
