"""The vector store: chunks committed per document, and consistent snapshots of what is committed.

Chroma is reached through `vectorstore.client` (the only module that imports `chromadb`); the record
format and layout are `vectorstore.records`', the checks `vectorstore.health`'s. Similarities are
cosine (1 - Chroma's distance, higher is better).

All-or-nothing per document, crash-safe
    A chunk record is visible (to `query`, `snapshot`, `count`, `fingerprint`) only
    when its `version` is the one committed for its source in the manifest. Writing a document:
      1. upsert its chunk records (batches of at most `get_max_batch_size()`) — still invisible;
      2. check that all of them are there;
      3. commit: upsert its one manifest record — a single-record write, atomic in Chroma;
      4. delete the records of the version it replaces.
    A crash (even `kill -9`) before 3 leaves only invisible records of the new version; after 3,
    only invisible records of the old one. `collect_garbage()` removes such leftovers; ingestion
    calls it first, under the ingestion lock. Record ids are deterministic, so re-running an
    interrupted ingest upserts the same records and converges to the state of a clean ingest.
    Deleting a document removes its manifest record first (it disappears at once), then its chunks.

Several processes
    Readers in other processes see a commit as soon as its manifest record is written; the manifest's
    digest, `fingerprint()`, tells them (e.g. the lexical index) that the committed set changed. As
    reading the whole manifest costs ~120 ms at 1,000 documents, every commit and delete also replaces
    a generation token, and the digest is recomputed only when the token moved (a crash between a
    delete and its token is healed by the next ingest's garbage collection). `snapshot()` reads exactly
    the records of the versions one manifest read names, so a reader gets a committed state however
    busy the writers are. An embedded Chroma client does not see another process' new vectors (only
    its metadata), so `query` reopens the client when the fingerprint moved without this process
    writing. In server mode several processes may ingest at once (the server serialises writes);
    garbage collection there only removes leftovers older than `SERVER_GC_GRACE_S`, so it never
    deletes a document that another process is writing. Two processes ingesting the *same* file at
    once is not supported: the last commit wins, and its leftovers are collected later.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ingest.models import Chunk, DocumentMeta
from core.config import Settings
from core.errors import StoreDamaged, StoreError
from vectorstore import health
from vectorstore.client import (
    IN_LIMIT,
    Collections,
    check_collection_name,
    connect,
    forget_local_system,
)
from vectorstore.embeddings import Embedder
from vectorstore.records import (
    and_where,
    chunk_from_record,
    chunk_id_of_record,
    chunk_metadata,
    document_version,
    meta_from_json,
    meta_json,
    record_id,
)

SERVER_GC_GRACE_S = 3600.0  # an ingest in another process is assumed to finish within an hour
_PLACEHOLDER_VECTOR = [1.0]  # manifest records need a vector; theirs is never searched
# A manifest record no file can be named after: a token replaced at every commit and delete, so
# readers learn that the committed set moved by reading one record instead of the whole manifest.
_GENERATION_ID = "\x00generation"


@dataclass(frozen=True)
class StoredDocument:
    """A committed document, how many chunks it has, and the file it was read from (when recorded)."""

    meta: DocumentMeta
    chunk_count: int
    origin: str | None = None  # absolute path of the ingested file; None for documents stored before it was kept


@dataclass(frozen=True)
class StoreSnapshot:
    """Every committed chunk, and the fingerprint of exactly that set."""

    fingerprint: str
    chunks: tuple[Chunk, ...]
    # float32, one row per chunk in the same order — only when asked for (`snapshot(vectors=True)`)
    vectors: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _Commit:
    source: str
    version: str
    chunk_count: int
    meta: DocumentMeta
    origin: str | None = None


def _generation_record() -> tuple[list[str], list[str], list[dict[str, Any]], list[list[float]]]:
    return [_GENERATION_ID], [uuid.uuid4().hex], [{"generation": True}], [_PLACEHOLDER_VECTOR]


def open_store(settings: Settings, embedder: Embedder) -> "ChunkStore":
    """Open (creating if needed) the configured store: embedded by default, a server when a host is set."""
    check_collection_name(settings.collection)
    client, where, local = connect(settings)
    store = ChunkStore(client, settings.collection, embedder.name, where=where, local_path=local)
    try:
        store.ensure_collections()
        store.note_own_changes()
    except BaseException:
        store.close()
        if local is not None:
            forget_local_system(local)
        raise
    return store


# --- the store ---------------------------------------------------------------------------------
class ChunkStore(Collections):
    """Chunks with vectors, committed per document. Thread-safe (Chroma's client is)."""

    def __init__(self, client: Any, name: str, embedder_name: str, *, where: str, local_path: Path | None) -> None:
        super().__init__(client, name, embedder_name, where=where, local_path=local_path)
        # Embedded mode: the fingerprint this process' vector index is known to reflect (see `query`).
        self._indexed_fingerprint: str | None = None
        # (generation token, fingerprint): the fingerprint is recomputed when the token moves.
        self._fingerprint_cache: tuple[str | None, str] | None = None

    # --- following other processes --------------------------------------------------------------
    def note_own_changes(self) -> None:
        """Remember the committed state this process has written or loaded (embedded mode)."""
        if self.local_path is not None:
            self._indexed_fingerprint = self.fingerprint()

    def _follow_other_processes(self) -> None:
        """Reload the embedded client when another process committed since we last looked.

        Chroma's embedded client reads other processes' writes from SQLite (metadata, `get`) but keeps
        its in-memory vector index as it was, so a `nghiquyet ingest` running beside the app would stay
        invisible to vector search until a restart. A fresh client rebuilds the index from disk.
        """
        if self.local_path is None:
            return
        current = self.fingerprint()
        if current == self._indexed_fingerprint:
            return
        if self._indexed_fingerprint is not None:
            self._reopen_local()
        self._indexed_fingerprint = current

    def _commits(self, sources: Iterable[str] | None = None) -> dict[str, _Commit]:
        """Committed documents from the manifest (all, or just these sources)."""
        wanted = None if sources is None else list(dict.fromkeys(sources))

        def read(_c: Any, m: Any) -> dict[str, _Commit]:
            out: dict[str, _Commit] = {}
            pages: list[dict[str, Any]] = []
            if wanted is None:
                pages.append(m.get(include=["metadatas", "documents"]))
            else:
                for start in range(0, len(wanted), IN_LIMIT):
                    part = wanted[start:start + IN_LIMIT]
                    if part:
                        pages.append(m.get(ids=part, include=["metadatas", "documents"]))
            for page in pages:
                for rid, version, md in zip(page["ids"], page["documents"], page["metadatas"]):
                    if rid == _GENERATION_ID:
                        continue
                    origin = md.get("origin")
                    out[rid] = _Commit(
                        rid, str(version), int(md["chunk_count"]), meta_from_json(str(md["doc_json"])),
                        str(origin) if origin else None,
                    )
            return out

        return self._run(read)

    def _versions(self) -> dict[str, str]:
        """source → committed version: the cheap read behind `fingerprint`."""
        page = self._run(lambda c, m: m.get(include=["documents"]))
        return {rid: str(version) for rid, version in zip(page["ids"], page["documents"]) if rid != _GENERATION_ID}

    def _generation(self) -> str | None:
        page = self._run(lambda c, m: m.get(ids=[_GENERATION_ID], include=["documents"]))
        return str(page["documents"][0]) if page["ids"] else None

    def _bump_generation(self) -> None:
        """Tell every reader that the committed set changed (see `fingerprint`)."""
        ids, documents, metadatas, embeddings = _generation_record()
        self._run(lambda c, m: m.upsert(ids=ids, documents=documents, metadatas=metadatas, embeddings=embeddings))

    # --- writing ------------------------------------------------------------------------------
    def is_current(self, meta: DocumentMeta, chunks: Sequence[Chunk]) -> bool:
        """Whether exactly these chunks are already committed and complete (nothing to write)."""
        version = document_version(meta, chunks, self.embedder_name)
        commit = self._commits([meta.source]).get(meta.source)
        # The count check makes a re-ingest repair a document whose records went missing.
        return (
            commit is not None
            and commit.version == version
            and self._count_version(meta.source, version) == commit.chunk_count
        )

    def add_document(
        self,
        meta: DocumentMeta,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        *,
        origin: str | None = None,
    ) -> None:
        """Commit a document's chunks all-or-nothing, replacing the version committed before (if any).

        `origin` (the file's absolute path) is kept in the manifest: it tells a re-ingest of that file
        (an update) from another file that happens to have the same name (a new document).
        """
        chunks = list(chunks)
        if not chunks:
            raise ValueError(f"{meta.source}: no chunks to store")
        if len(embeddings) != len(chunks):
            raise ValueError(f"{meta.source}: {len(chunks)} chunks but {len(embeddings)} embeddings")
        strangers = {c.source for c in chunks if c.source != meta.source}
        if strangers:
            raise ValueError(f"{meta.source}: chunks of other sources {sorted(strangers)}")
        ids = [c.id for c in chunks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{meta.source}: duplicate chunk ids")
        self.check_embedder()

        version = document_version(meta, chunks, self.embedder_name)
        previous = self._commits([meta.source]).get(meta.source)
        complete = (
            previous is not None and previous.version == version
            and self._count_version(meta.source, version) == len(chunks)
        )
        if complete and (origin is None or previous.origin == origin):
            return
        if not complete:
            self._write_chunks(meta, chunks, embeddings, version)
        manifest_md = meta.as_metadata()
        manifest_md.update(
            chunk_count=len(chunks), committed_at=time.time(), embedder=self.embedder_name, doc_json=meta_json(meta)
        )
        if origin:
            manifest_md["origin"] = origin
        gen_ids, gen_documents, gen_metadatas, gen_embeddings = _generation_record()
        self._run(  # the commit and its generation token in one write
            lambda c, m: m.upsert(
                ids=[meta.source, *gen_ids],
                documents=[version, *gen_documents],
                metadatas=[manifest_md, *gen_metadatas],
                embeddings=[_PLACEHOLDER_VECTOR, *gen_embeddings],
            )
        )
        self.note_own_changes()
        if previous is not None and previous.version != version:
            self._delete_where({"$and": [{"source": meta.source}, {"version": previous.version}]})

    def _write_chunks(
        self, meta: DocumentMeta, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]], version: str
    ) -> None:
        """Steps 1–2: upsert the (still invisible) records of a version and check that all are there."""
        written_at = time.time()
        record_ids = [record_id(c.id, version) for c in chunks]
        metadatas = [chunk_metadata(c, version, written_at) for c in chunks]
        documents = [c.text for c in chunks]
        vectors = [list(map(float, v)) for v in embeddings]
        batch = max(1, int(self._run(lambda c, m: self._client.get_max_batch_size())))
        for start in range(0, len(chunks), batch):
            end = start + batch
            self._run(
                lambda c, m: c.upsert(
                    ids=record_ids[start:end],
                    embeddings=vectors[start:end],
                    metadatas=metadatas[start:end],
                    documents=documents[start:end],
                )
            )
        stored = self._count_version(meta.source, version)
        if stored != len(chunks):
            raise StoreError(
                f"Ghi {meta.source} vào kho tại {self.where} không trọn vẹn ({stored}/{len(chunks)} đoạn); "
                "tài liệu chưa được cập nhật.",
                "Chạy lại lệnh nạp.",
            )

    def record_origin(self, source: str, origin: str) -> None:
        """Note the file a document stored before origins were kept came from (its version is unchanged)."""
        page = self._run(lambda c, m: m.get(ids=[source], include=["metadatas"]))
        if page["ids"]:
            md = dict(page["metadatas"][0])
            md["origin"] = origin
            self._run(lambda c, m: m.update(ids=[source], metadatas=[md]))

    def delete_document(self, source: str) -> int:
        """Remove a document; returns how many committed chunks it had (0 when it was not there)."""
        commit = self._commits([source]).get(source)
        if commit is not None:
            self._run(lambda c, m: m.delete(ids=[source]))  # gone for readers from here on
            self._bump_generation()
            self.note_own_changes()
        self._delete_where({"source": source})
        return commit.chunk_count if commit else 0

    def collect_garbage(self, *, min_age_s: float = 0.0) -> int:
        """Delete chunk records no committed version owns (leftovers of interrupted writes)."""
        versions = sorted(set(self._versions().values()))
        clauses: list[dict[str, Any]] = []
        if versions:
            clauses.append({"version": {"$nin": versions}} if len(versions) > 1 else {"version": {"$ne": versions[0]}})
        if min_age_s > 0:
            clauses.append({"written_at": {"$lt": time.time() - min_age_s}})
        removed = self._delete_where(and_where(*clauses) or {"version": {"$ne": ""}})
        if removed:
            self._bump_generation()  # heals a crash between a delete and its token
        return removed

    def reset(self) -> None:
        """Drop both collections and start empty (`--rebuild`)."""
        self.drop_collections()
        self.ensure_collections()
        self._bump_generation()
        self.note_own_changes()

    # --- reading -----------------------------------------------------------------------------
    def documents(self) -> list[StoredDocument]:
        return [StoredDocument(c.meta, c.chunk_count, c.origin) for _, c in sorted(self._commits().items())]

    def count(self) -> int:
        """Committed chunks."""
        return sum(c.chunk_count for c in self._commits().values())

    def fingerprint(self) -> str:
        """Changes whenever the set of committed chunks changes, whichever process changed it."""
        token = self._generation()  # read before the manifest: a commit in between looks like a change
        with self._acquire_lock:
            cached = self._fingerprint_cache
        if cached is not None and cached[0] == token:
            return cached[1]
        digest = self._fingerprint_of(self._versions())
        with self._acquire_lock:
            self._fingerprint_cache = (token, digest)
        return digest

    def _fingerprint_of(self, versions: dict[str, str]) -> str:
        h = hashlib.sha256(f"{self.name}\x1e{self.embedder_name}".encode())
        for source in sorted(versions):
            h.update(f"\x1e{source}\x1f{versions[source]}".encode())
        return h.hexdigest()[:32]

    def snapshot(self, *, attempts: int = 8, vectors: bool = False) -> StoreSnapshot:
        """Every chunk of one committed state, with the fingerprint of exactly that state.

        The manifest is read once, then only the records of the versions it names. A commit landing
        meanwhile writes records of *other* versions and removes none of these (a version's records
        are deleted only after the commit that replaces it), so the copy is the state the manifest
        named even while a writer commits document after document: readers are not turned away
        because an ingest is running. Only a replacement or a deletion committed during the read
        takes records away; the per-document counts show it, and the read is retried.
        """
        for attempt in range(attempts):
            commits = self._commits()
            versions = {source: commit.version for source, commit in commits.items()}
            try:
                chunks, matrix = self._committed_chunks(versions, vectors=vectors)
            except StoreDamaged:
                # An embedded client holds the vectors it loaded; a version another process committed
                # after that has rows in SQLite but no vectors here yet ("Error finding id"). A client
                # opened now holds every version committed before `commits` was read, so read those
                # same versions again; a store that is really damaged fails the same way.
                if not vectors or self.server_mode:
                    raise
                self._reopen_local()
                self._indexed_fingerprint = None  # the new client is current: recorded, not reopened again
                chunks, matrix = self._committed_chunks(versions, vectors=vectors)
            counts: dict[str, int] = {}
            for chunk in chunks:
                counts[chunk.source] = counts.get(chunk.source, 0) + 1
            if all(counts.get(source, 0) == commit.chunk_count for source, commit in commits.items()):
                return StoreSnapshot(self._fingerprint_of(versions), tuple(chunks), matrix)
            time.sleep(0.05 * (attempt + 1))  # a replacement or deletion is finishing: let it
        raise StoreError(
            f"Kho tại {self.where} thay đổi liên tục trong lúc đọc (đang có tiến trình khác thay hoặc xoá tài liệu).",
            "Thử lại sau khi lần nạp kết thúc.",
        )

    def _committed_chunks(
        self, versions: dict[str, str], *, vectors: bool = False
    ) -> tuple[list[Chunk], np.ndarray | None]:
        metas: dict[str, DocumentMeta] = {}
        out: list[Chunk] = []
        rows: list[np.ndarray] = []
        include = ["metadatas", "documents", "embeddings"] if vectors else ["metadatas", "documents"]
        for page in self._scan_versions(sorted(set(versions.values())), include):
            embeddings = page["embeddings"] if vectors else None
            for i, (text, md) in enumerate(self._records(page)):
                if versions.get(str(md.get("source"))) == md.get("version"):
                    out.append(chunk_from_record(text, md, metas))
                    if embeddings is not None:
                        rows.append(np.asarray(embeddings[i], dtype=np.float32))
        order = sorted(range(len(out)), key=lambda i: (out[i].source, out[i].seq))
        chunks = [out[i] for i in order]
        if not vectors:
            return chunks, None
        matrix = np.stack([rows[i] for i in order]) if rows else np.zeros((0, 0), dtype=np.float32)
        return chunks, matrix

    def all_chunks(self) -> list[Chunk]:
        """Every committed chunk, ordered by (source, seq)."""
        return list(self.snapshot().chunks)

    def _commit_versions(self, sources: Iterable[str]) -> dict[str, str]:
        return {s: c.version for s, c in self._commits(sources).items()}

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The k committed chunks nearest to `embedding` (cosine similarity, higher is better)."""
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        self.check_embedder()
        self._follow_other_processes()
        vector = [float(x) for x in embedding]
        # Uncommitted records (an ingest in progress, leftovers of a crash) are filtered out after the
        # search, so ask for a few more and widen until k visible ones are found or all were seen.
        n = k + 8
        metas: dict[str, DocumentMeta] = {}
        while True:
            res = self._run(
                lambda c, m: c.query(
                    query_embeddings=[vector], n_results=n, where=where, include=["metadatas", "documents", "distances"]
                )
            )
            rows = list(zip(res["documents"][0], res["metadatas"][0], res["distances"][0]))
            versions = self._commit_versions({str(md["source"]) for _, md, _ in rows})
            hits = [
                (chunk_from_record(text, md, metas), 1.0 - float(dist))
                for text, md, dist in rows
                if versions.get(str(md["source"])) == md.get("version")
            ]
            if len(hits) >= k or len(rows) < n:
                return hits[:k]
            n *= 4

    def nearest(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """The `k` records nearest to `embedding` as (chunk id, cosine similarity), best first.

        Records of every version come back, so a chunk id can appear twice (an ingest in progress, leftovers of a crash): the caller
        keeps the chunk ids it knows as committed. Asking Chroma for distances only is what makes this
        fast — fetching documents and metadata costs about ten times the vector search itself.
        """
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        self.check_embedder()
        self._follow_other_processes()
        vector = [float(x) for x in embedding]
        res = self._run(lambda c, m: c.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"]))
        return [(chunk_id_of_record(rid), 1.0 - float(dist)) for rid, dist in zip(res["ids"][0], res["distances"][0])]

    # --- health (see `vectorstore.health`) -------------------------------------------------------------
    def health(self) -> list[str]:
        """Problems found (in Vietnamese); empty when the store is consistent and searchable."""
        return health.problems(self)

    def leftover_records(self) -> int:
        """Records of interrupted ingests: invisible, removed by the next ingest."""
        return health.leftover_records(self)

    def commits(self) -> dict[str, "_Commit"]:
        return self._commits()
