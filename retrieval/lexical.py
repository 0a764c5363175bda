"""BM25 over Vietnamese tokens (bm25s), persisted next to the store and tied to the store's fingerprint.

The index is saved under `<store_dir>/lexical/<fingerprint>/`: a directory per committed state of the
collection, written under a temporary name and renamed into place, so several processes that share one
store (or one Chroma server) can build, load and replace it without ever reading a half-written index.
Its meta.json holds the store fingerprint and a checksum of every file: an index edited or damaged on
disk is not loaded, but rebuilt from the store, and the reason is kept in `rejected` (and logged).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from ingest.models import Chunk, DocumentMeta
from retrieval.models import Filters
from retrieval.persist import changed_files, checksums, discard_state, save_state
from retrieval.tokenize import document_tokens
from vectorstore.records import chunk_fields, chunk_from_fields, meta_from_json, meta_json

log = logging.getLogger(__name__)

# Bump when tokenisation or scoring parameters change: an index built by older code is rebuilt.
INDEX_VERSION = "6"  # 4: checksums in meta.json; 5: chunks in the store's record format; 6: tỉ/tỷ share one key
_META = "meta.json"
_CHUNKS = "chunks.jsonl"
_BM25 = "bm25"


def _doc_key(meta: DocumentMeta) -> str:
    return f"{meta.source}\x1f{meta.content_hash}"


def _dump_chunks(chunks: Sequence[Chunk], path: Path) -> None:
    """One header line (the documents), then one line per chunk — the store's own record format."""
    docs: dict[str, DocumentMeta] = {}
    for chunk in chunks:
        docs.setdefault(_doc_key(chunk.doc), chunk.doc)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"docs": {k: meta_json(d) for k, d in docs.items()}}, ensure_ascii=False))
        fh.write("\n")
        for chunk in chunks:
            row = {"text": chunk.text, "source": chunk.source, "fields": chunk_fields(chunk), "doc": _doc_key(chunk.doc)}
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")


def _load_chunks(path: Path) -> list[Chunk]:
    with path.open(encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        docs = {key: meta_from_json(text) for key, text in header["docs"].items()}
        return [
            chunk_from_fields(row["text"], row["source"], row["fields"], docs[row["doc"]])
            for row in map(json.loads, fh)
        ]


def _dir_name(fingerprint: str, k1: float, b: float) -> str:
    # Fingerprints come from the store and may contain any character; the directory name must not.
    return hashlib.sha256(f"{INDEX_VERSION}\x1f{k1}\x1f{b}\x1f{fingerprint}".encode()).hexdigest()[:24]


class LexicalIndex:
    """BM25 over `Chunk.index_text`, with province/year/source masks for hard filters."""

    def __init__(self, directory: Path, *, k1: float = 1.2, b: float = 0.75) -> None:
        self.directory = Path(directory)
        self.k1 = k1
        self.b = b
        self.fingerprint: str | None = None
        self.chunks: list[Chunk] = []
        self._by_id: dict[str, Chunk] = {}
        self._bm25: bm25s.BM25 | None = None
        self._provinces = np.array([], dtype=object)
        self._sources = np.array([], dtype=object)
        self._years: list[frozenset[int]] = []
        self._mask_cache: dict[Filters, np.ndarray] = {}
        self._rows_cache: dict[Filters, np.ndarray | None] = {}
        self._lock = threading.Lock()
        self.rejected: str | None = None  # why the last saved copy found was not used (Vietnamese)

    # --- building, saving, loading ----------------------------------------------------------------
    def build(self, chunks: Iterable[Chunk], fingerprint: str, *, persist: bool = True) -> None:
        """Index `chunks` (the store's committed state identified by `fingerprint`) and save it."""
        chunks = list(chunks)
        bm25 = self._index(chunks)
        with self._lock:
            self._install(chunks, bm25, fingerprint)
        if persist:
            self._save(chunks, bm25, fingerprint)

    def load(self, fingerprint: str, *, discard: bool = True) -> bool:
        """Load the saved index built from `fingerprint`; False when there is none (or it is damaged).

        A damaged copy is discarded (unless `discard` is False, for `doctor`), so the rebuilt one can take its place.
        """
        path = self.directory / _dir_name(fingerprint, self.k1, self.b)
        self.rejected = None
        if not (path / _META).is_file():
            return False
        try:
            meta = json.loads((path / _META).read_text(encoding="utf-8"))
            if meta.get("fingerprint") != fingerprint or meta.get("version") != INDEX_VERSION:
                return False
            changed = changed_files(path, meta.get("checksums"), skip=_META)
            if changed:
                self.rejected = (
                    f"chỉ mục từ vựng đã lưu ở {path} không khớp tổng kiểm tra ({', '.join(changed[:3])} bị sửa "
                    "hoặc hỏng)"
                )
                log.warning("Chỉ mục từ vựng: %s; dựng lại từ kho vector.", self.rejected)
                if discard:
                    discard_state(self.directory, path.name)
                return False
            chunks = _load_chunks(path / _CHUNKS)
            bm25 = bm25s.BM25.load(str(path / _BM25), show_progress=False) if chunks else None
        except FileNotFoundError:
            return False  # replaced by another process meanwhile: not damage
        except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged: rebuild
            del exc
            self.rejected = f"chỉ mục từ vựng đã lưu ở {path} không đọc được"
            log.warning("Chỉ mục từ vựng: %s; dựng lại từ kho vector.", self.rejected)
            if discard:
                discard_state(self.directory, path.name)
            return False
        if len(chunks) != meta.get("count"):
            return False
        with self._lock:
            self._install(chunks, bm25, fingerprint)
        return True

    def sync(self, fingerprint: str, chunks_of_store: Callable[[], list[Chunk]]) -> bool:
        """Make the index match the store state `fingerprint`: load it if saved, else rebuild. True if changed."""
        if fingerprint == self.fingerprint:
            return False
        if not self.load(fingerprint):
            self.build(chunks_of_store(), fingerprint)
        return True

    def _index(self, chunks: Sequence[Chunk]) -> bm25s.BM25 | None:
        if not chunks:
            return None
        # Token ids, one small int32 array per chunk, built as we go: lists of token strings for every
        # chunk held at once took ~4 GB at 96,000 chunks (bigram strings are new objects each time).
        vocab: dict[str, int] = {}
        ids: list[np.ndarray] = []
        for chunk in chunks:
            tokens = document_tokens(chunk.index_text)
            ids.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in tokens), dtype=np.int32, count=len(tokens)))
        bm25 = bm25s.BM25(k1=self.k1, b=self.b)
        bm25.index((ids, vocab), show_progress=False)
        return bm25

    def _install(self, chunks: list[Chunk], bm25: bm25s.BM25 | None, fingerprint: str) -> None:
        self.chunks = chunks
        self._by_id = {c.id: c for c in chunks}
        self._bm25 = bm25
        self._provinces = np.array([c.doc.province or "" for c in chunks], dtype=object)
        self._sources = np.array([c.source for c in chunks], dtype=object)
        self._years = [frozenset(c.doc.years) for c in chunks]
        self._mask_cache = {}
        self._rows_cache = {}
        self.fingerprint = fingerprint

    def _save(self, chunks: list[Chunk], bm25: bm25s.BM25 | None, fingerprint: str) -> None:
        def write(tmp: Path) -> None:
            _dump_chunks(chunks, tmp / _CHUNKS)
            if bm25 is not None:
                bm25.save(str(tmp / _BM25), show_progress=False)
            meta = {
                "fingerprint": fingerprint, "version": INDEX_VERSION, "count": len(chunks),
                "checksums": checksums(tmp, skip=_META),
            }
            (tmp / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

        save_state(self.directory, _dir_name(fingerprint, self.k1, self.b), write, marker=_META)

    # --- searching -----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.chunks)

    def get(self, chunk_id: str) -> Chunk | None:
        """The indexed (committed) chunk with this id, if any."""
        return self._by_id.get(chunk_id)

    def view(self, filters: Filters) -> tuple[str | None, list[Chunk], np.ndarray | None]:
        """(fingerprint, chunks, row numbers passing `filters` or None for all), read as one consistent state."""
        with self._lock:
            fingerprint, chunks = self.fingerprint, self.chunks
            if filters.empty:
                return fingerprint, chunks, None
            rows = self._rows_cache.get(filters)
            if rows is None:
                keep = self.mask(filters)
                rows = self._rows_cache[filters] = np.flatnonzero(keep) if keep is not None else None
            return fingerprint, chunks, rows

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Boolean array of the chunks that pass the hard filters; None when there are none."""
        if filters.empty:
            return None
        cached = self._mask_cache.get(filters)
        if cached is not None:
            return cached
        keep = np.ones(len(self.chunks), dtype=bool)
        if filters.provinces:
            keep &= np.isin(self._provinces, list(filters.provinces))
        if filters.sources:
            keep &= np.isin(self._sources, list(filters.sources))
        if filters.years:
            wanted = set(filters.years)
            keep &= np.fromiter((bool(ys & wanted) for ys in self._years), dtype=bool, count=len(self._years))
        self._mask_cache[filters] = keep
        return keep

    def idf(self, token: str) -> float:
        """BM25 (Lucene) inverse document frequency of a token; unknown tokens count as rare."""
        bm25 = self._bm25
        n = len(self.chunks)
        if bm25 is None:
            return 0.0
        tid = bm25.vocab_dict.get(token)
        indptr = bm25.scores["indptr"]
        df = 0 if tid is None or tid + 1 >= len(indptr) else int(indptr[tid + 1] - indptr[tid])
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def scores(self, token_groups: Sequence[tuple[Sequence[str], float]]) -> np.ndarray:
        """BM25 score of every chunk: the weighted sum over token groups (question, expansions...)."""
        bm25 = self._bm25
        total = np.zeros(len(self.chunks), dtype=np.float32)
        if bm25 is None:
            return total
        for tokens, weight in token_groups:
            ids = sorted({bm25.vocab_dict[t] for t in tokens if t in bm25.vocab_dict})
            if not ids or weight == 0:
                continue
            total += weight * bm25.get_scores_from_ids(ids)
        return total

    def search(
        self,
        token_groups: Sequence[tuple[Sequence[str], float]],
        *,
        k: int,
        filters: Filters = Filters(),
    ) -> list[tuple[Chunk, float]]:
        """The `k` best chunks passing `filters`, best first, with their BM25 scores (> 0 only)."""
        with self._lock:
            chunks = self.chunks
            scores = self.scores(token_groups)
            keep = self.mask(filters)
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        if k <= 0 or not len(scores):
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(chunks[i], float(scores[i])) for i in top if scores[i] > 0]

