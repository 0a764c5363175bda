"""Dense search: the question's embedding against every committed chunk's vector.

Chroma is the store of record for the vectors; for search, each process mirrors the committed vectors
in one float32 matrix aligned with the lexical index's chunks (the same committed state, the same
order) and searches it exactly. Why not Chroma's own query: with a province or year filter Chroma
first selects the matching records in SQLite — 55 ms at 96,000 chunks, most of a search's budget —
where the mirror takes the filtered rows from the lexical index's cached masks and scores them in
well under a millisecond. Exact search also has no recall loss. The matrix costs 1.5 KB per chunk
(148 MB at 96,000 chunks) and is memory-mapped, so app processes on one machine share it.
The saved matrix carries the store fingerprint and its checksum; a matrix that does not match them
(garbled on disk) is not loaded but rebuilt from the store, and the reason is kept in `rejected`.
When the mirror does not match the lexical index's state (during a swap, or an index that could not
be saved), the search goes to Chroma instead and keeps only the chunk ids the lexical index knows as
committed — records of an ingest still running, or left by a crash, are skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np

from ingest.models import Chunk
from retrieval.lexical import LexicalIndex
from retrieval.models import Filters
from retrieval.persist import changed_files, checksums, discard_state, save_state
from vectorstore.embeddings import Embedder
from vectorstore.records import build_where
from vectorstore.store import ChunkStore

log = logging.getLogger(__name__)

DENSE_VERSION = "2"  # 2: checksum in meta.json
_VECTORS = "vectors.npy"
_META = "meta.json"


def _dir_name(fingerprint: str) -> str:
    return hashlib.sha256(f"{DENSE_VERSION}\x1f{fingerprint}".encode()).hexdigest()[:24]


class DenseIndex:
    """The committed chunks' vectors (rows in the lexical index's order), saved per store fingerprint."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        # (fingerprint, matrix) replaced as one tuple, so a reader never pairs one state's
        # fingerprint with another state's matrix.
        self.state: tuple[str | None, np.ndarray] = (None, np.zeros((0, 0), dtype=np.float32))
        self.rejected: str | None = None  # why the last saved copy found was not used (Vietnamese)

    @property
    def fingerprint(self) -> str | None:
        return self.state[0]

    def build(self, vectors: np.ndarray, fingerprint: str, *, persist: bool = True) -> None:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        self.state = (fingerprint, matrix)
        if persist:
            def write(tmp: Path) -> None:
                np.save(tmp / _VECTORS, matrix)
                meta = {
                    "fingerprint": fingerprint, "version": DENSE_VERSION, "rows": int(matrix.shape[0]),
                    "checksums": checksums(tmp, skip=_META),
                }
                (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")

            save_state(self.directory, _dir_name(fingerprint), write, marker=_META)
            self.load(fingerprint, int(matrix.shape[0]))  # the saved copy, mapped: the caller's array can go

    def load(self, fingerprint: str, rows: int, *, discard: bool = True) -> bool:
        """Load the saved matrix of `fingerprint` (expected to have `rows` rows); False when there is none.

        A damaged copy is discarded (unless `discard` is False, for `doctor`), so the rebuilt one can take its place.
        """
        path = self.directory / _dir_name(fingerprint)
        self.rejected = None
        try:
            meta = json.loads((path / _META).read_text(encoding="utf-8"))
            if meta.get("fingerprint") != fingerprint or meta.get("version") != DENSE_VERSION:
                return False
            changed = changed_files(path, meta.get("checksums"), skip=_META)
            if meta.get("rows") != rows or changed:
                return self._reject(path, f"{', '.join(changed) or 'số dòng'} không khớp", discard)
            matrix = np.load(path / _VECTORS, mmap_mode="r")
        except FileNotFoundError:
            return False  # not saved for this state yet
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return self._reject(path, "không đọc được tệp", discard)
        if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape[0] != rows:
            return self._reject(path, "kích thước ma trận sai", discard)
        self.state = (fingerprint, matrix)
        return True

    def _reject(self, path: Path, why: str, discard: bool) -> bool:
        self.rejected = f"bản sao vector đã lưu ở {path} hỏng ({why})"
        log.warning("Chỉ mục vector: %s; dựng lại từ kho vector.", self.rejected)
        if discard:
            discard_state(self.directory, path.name)
        return False

    def search(self, matrix: np.ndarray, vector: np.ndarray, k: int, rows: np.ndarray | None) -> list[tuple[int, float]]:
        """The `k` rows (of `rows`, or of all) most similar to `vector`: (row, cosine similarity), best first."""
        if not len(matrix) or k < 1 or (rows is not None and not len(rows)):
            return []
        scores = (matrix if rows is None else matrix[rows]) @ vector
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        picked = top if rows is None else rows[top]
        return [(int(r), float(scores[t])) for r, t in zip(picked, top)]


class DenseRetriever:
    """Nearest chunks by cosine similarity (higher is better); the embedder caches query vectors."""

    def __init__(self, store: ChunkStore, embedder: Embedder, lexical: LexicalIndex, index: DenseIndex) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        self.index = index

    def search(self, text: str, *, k: int, filters: Filters = Filters()) -> list[tuple[Chunk, float]]:
        if k < 1 or not text.strip():
            return []
        vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        fingerprint, chunks, rows = self.lexical.view(filters)
        mirrored, matrix = self.index.state
        if fingerprint is not None and mirrored == fingerprint and matrix.shape == (len(chunks), len(vector)):
            return [(chunks[r], score) for r, score in self.index.search(matrix, vector, k, rows)]
        return self._search_store(vector, k, filters)

    def _search_store(self, vector: np.ndarray, k: int, filters: Filters) -> list[tuple[Chunk, float]]:
        where = build_where(filters.provinces, filters.years, filters.sources)
        n = k + 8
        while True:
            found = self.store.nearest(vector.tolist(), n, where)
            best: dict[str, float] = {}
            for cid, score in found:
                best.setdefault(cid, score)  # one chunk in two versions has the same text and vector
            hits = [(chunk, score) for cid, score in best.items() if (chunk := self.lexical.get(cid)) is not None]
            if len(hits) >= k or len(found) < n:
                return hits[:k]
            n *= 4
