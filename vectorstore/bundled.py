"""Vectors shipped with the bundled corpus, so a first run does not spend a minute embedding it.

One `.npz` file: the model's name, the `embed_context` variant, the cache keys (sha256 of each
embedded text) and the float32 vectors, exactly as the embedding cache stores them. It is only a
head start for the cache: a key is the hash of the text actually embedded, so a passage whose text,
header variant or model differs simply misses and is embedded as usual.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".vectors.npz"


def bundled_vectors_path(corpus_dir: Path) -> Path:
    """`data/corpus` → `data/corpus.vectors.npz`: beside the corpus, not inside it (it would be ingested)."""
    corpus_dir = Path(corpus_dir)
    return corpus_dir.with_name(corpus_dir.name + SUFFIX)


@dataclass(frozen=True)
class BundledVectors:
    model: str
    embed_context: str
    vectors: dict[str, list[float]]  # cache key → vector


def write_bundled_vectors(path: Path, model: str, embed_context: str, vectors: dict[str, Sequence[float]]) -> None:
    import numpy as np

    keys = sorted(vectors)
    header = json.dumps({"model": model, "embed_context": embed_context})
    matrix = np.asarray([vectors[k] for k in keys], dtype=np.float32).reshape(len(keys), -1)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, header=np.array(header), keys=np.array(keys), vectors=matrix)
    tmp.replace(path)


def read_bundled_vectors(path: Path) -> BundledVectors | None:
    """The file's vectors, or None when it is missing or unreadable (then everything is embedded)."""
    if not path.is_file():
        return None
    try:
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            keys = [str(k) for k in data["keys"]]
            matrix = data["vectors"].astype(np.float32, copy=False)
        if len(keys) != len(matrix):
            raise ValueError(f"{len(keys)} keys for {len(matrix)} vectors")
        return BundledVectors(str(header["model"]), str(header["embed_context"]),
                              {k: row.tolist() for k, row in zip(keys, matrix)})
    except Exception as exc:  # noqa: BLE001 - a damaged head start only costs time, never a failure
        log.warning("Bundled vectors %s are unreadable (%s); embedding instead", path, exc)
        return None
