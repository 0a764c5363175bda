"""The vector store: Chroma, and the only module of the product that imports `chromadb`.

Clients
    Embedded `chromadb.PersistentClient(<store_dir>/chroma)` by default; `chromadb.HttpClient` when
    `NGHIQUYET_CHROMA_HOST` is set (a `chroma run` server, shared by several app processes). After
    construction both go through the same code. Chroma never embeds anything here: collections are
    created with `embedding_function=None` and every vector is computed by our `Embedder` (a
    collection without one would fall back to Chroma's default model, which downloads weights).
    Collections use cosine space; Chroma's distances are turned into similarities (1 - distance,
    higher is better) at this boundary.

Layout: two collections
    `<name>`            one record per chunk *version*: id `<chunk.id>-<version[:16]>`, document =
                        the chunk text as written, metadata = the document's scalar metadata
                        (province, `y2021: True` flags, ...) + the chunk's fields + `version`.
    `<name>_documents`  the manifest: one record per *committed* document, id = source,
                        document = its committed version, metadata = DocumentMeta + chunk count.
    A document's `version` is a digest of everything stored for it (embedder, metadata, every
    chunk's text and fields), so an unchanged file has an unchanged version and is skipped, and a
    changed chunker or sidecar produces a new version even when the file's bytes did not change.

All-or-nothing per document, crash-safe
    A chunk record is visible (to `query`, `all_chunks`, `get_chunks`, `count`, `fingerprint`) only
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
    Readers in other processes see a commit as soon as the manifest record is written;
    `fingerprint()` (a digest of the manifest) tells them — e.g. the lexical index — that the set of
    committed chunks changed. Reading the whole manifest costs ~120 ms at 1,000 documents, so every
    commit also replaces a generation token (in the same upsert) and every delete does right after
    it; the digest is recomputed only when the token moved. A crash between a delete and its token
    is healed by the next ingest, whose garbage collection replaces the token when it removes
    anything. Read the fingerprint *before* the chunks (or use `snapshot()`), so a commit in
    between makes the copy look stale rather than fresh. An embedded Chroma client does
    not see another process' new vectors (only its metadata), so `query` reopens the client when
    the fingerprint moved without this process writing. In server mode several
    processes may ingest at once (the server serialises writes); garbage collection there only
    removes leftovers older than `SERVER_GC_GRACE_S`, so it never deletes a document that another
    process is writing. Two processes ingesting the *same* file at once is not supported: the
    last commit wins, and its leftovers are collected later.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, InternalError, NotFoundError

from ingest.models import Chunk, DocumentMeta
from nghiquyet.config import ConfigError, Settings
from nghiquyet.errors import StoreDamaged, StoreError, StoreUnavailable
from vectorstore.embeddings import Embedder
from vectorstore.faults import environment_fault

T = TypeVar("T")

SCHEMA_VERSION = 1
MANIFEST_SUFFIX = "_documents"
CHROMA_DIR_NAME = "chroma"
SERVER_GC_GRACE_S = 3600.0  # an ingest in another process is assumed to finish within an hour
_PAGE = 2000                # records per `get` page when scanning a collection
_IN_LIMIT = 500             # values per `$in` filter
_PLACEHOLDER_VECTOR = [1.0]  # manifest records need a vector; theirs is never searched
# A manifest record no file can be named after: a token replaced at every commit and delete, so
# readers learn that the committed set moved by reading one record instead of the whole manifest.
_GENERATION_ID = "\x00generation"
_COLLECTION_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

REBUILD_HINT = "Chạy `nghiquyet ingest --rebuild <thư mục tài liệu>` để dựng lại chỉ mục (tệp gốc không bị ảnh hưởng)."


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


# --- (de)serialisation ---------------------------------------------------------------------------
def _tuples(value: Any) -> Any:
    """JSON arrays back to the tuples the frozen dataclasses hold."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


@lru_cache(maxsize=256)  # every chunk of a document carries the same (frozen, hashable) DocumentMeta
def _meta_json(meta: DocumentMeta) -> str:
    return json.dumps(dataclasses.asdict(meta), ensure_ascii=False, sort_keys=True)


def _meta_from_json(text: str) -> DocumentMeta:
    data = json.loads(text)
    known = {f.name for f in dataclasses.fields(DocumentMeta)}
    return DocumentMeta(**{k: _tuples(v) for k, v in data.items() if k in known})


_CHUNK_OWN_FIELDS = tuple(f.name for f in dataclasses.fields(Chunk) if f.name not in ("text", "source", "doc"))


def _chunk_json(chunk: Chunk) -> str:
    return json.dumps({name: getattr(chunk, name) for name in _CHUNK_OWN_FIELDS}, ensure_ascii=False, sort_keys=True)


def _chunk_metadata(chunk: Chunk, version: str, written_at: float) -> dict[str, str | int | float | bool]:
    """Chroma metadata of a chunk record: filterable scalars plus the exact fields as JSON."""
    md = chunk.doc.as_metadata()
    md.update(
        chunk_id=chunk.id,
        version=version,
        written_at=written_at,
        kind=chunk.kind,
        seq=chunk.seq,
        heading=" > ".join(chunk.heading_path),
        chunk_json=_chunk_json(chunk),
        doc_json=_meta_json(chunk.doc),
    )
    if chunk.page is not None:
        md["page"] = chunk.page
    return md


_CHUNK_FIELDS = frozenset(f.name for f in dataclasses.fields(Chunk))


def _chunk_from_record(text: str, md: dict[str, Any], metas: dict[str, DocumentMeta]) -> Chunk:
    doc_json = str(md["doc_json"])
    meta = metas.get(doc_json)
    if meta is None:
        meta = metas[doc_json] = _meta_from_json(doc_json)
    # fields a newer version wrote and this one does not know are left out
    fields = {k: _tuples(v) for k, v in json.loads(str(md["chunk_json"])).items() if k in _CHUNK_FIELDS}
    return Chunk(text=text, source=str(md["source"]), doc=meta, **fields)


def document_version(meta: DocumentMeta, chunks: Sequence[Chunk], embedder_name: str) -> str:
    """Digest of everything stored for a document: equal versions mean nothing to write."""
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION}\x1e{embedder_name}\x1e{_meta_json(meta)}".encode())
    for chunk in chunks:
        h.update(f"\x1e{chunk.id}\x1f{chunk.text}\x1f{_chunk_json(chunk)}\x1f{_meta_json(chunk.doc)}".encode())
    return h.hexdigest()


def _record_id(chunk_id: str, version: str) -> str:
    return f"{chunk_id}-{version[:16]}"


def _generation_record() -> tuple[list[str], list[str], list[dict[str, Any]], list[list[float]]]:
    return [_GENERATION_ID], [uuid.uuid4().hex], [{"generation": True}], [_PLACEHOLDER_VECTOR]


def chunk_id_of_record(record_id: str) -> str:
    return record_id.rsplit("-", 1)[0]


def build_where(
    provinces: Iterable[str] = (), years: Iterable[int] = (), sources: Iterable[str] = ()
) -> dict[str, Any] | None:
    """A Chroma `where` filter from hard filters (retrieval's `Filters`); None when unfiltered."""
    clauses: list[dict[str, Any]] = []

    def any_of(key: str, values: list[Any]) -> dict[str, Any]:
        return {key: values[0]} if len(values) == 1 else {key: {"$in": values}}

    provinces, years, sources = list(dict.fromkeys(provinces)), list(dict.fromkeys(years)), list(dict.fromkeys(sources))
    if provinces:
        clauses.append(any_of("province", provinces))
    if sources:
        clauses.append(any_of("source", sources))
    if years:
        # DocumentMeta.as_metadata stores one `y<year>: True` flag per year (Chroma has no list values).
        flags = [{f"y{int(y)}": True} for y in years]
        clauses.append(flags[0] if len(flags) == 1 else {"$or": flags})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _and(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


# --- opening ---------------------------------------------------------------------------------------
def _chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _server_address(settings: Settings) -> tuple[str, int, bool]:
    """(host, port, ssl) from the settings; refuses a host URL whose port contradicts CHROMA_PORT."""
    raw = (settings.chroma_host or "").strip()
    if not raw:
        raise ConfigError("NGHIQUYET_CHROMA_HOST đang để trống.")
    parsed = urlparse(raw if "://" in raw else f"http://{raw}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.path not in ("", "/"):
        raise ConfigError(
            f"NGHIQUYET_CHROMA_HOST={raw!r} không hợp lệ: cần tên máy hoặc địa chỉ IP, ví dụ 127.0.0.1 "
            "hoặc http://chroma.local:8000."
        )
    port = settings.chroma_port
    if parsed.port is not None:
        if "chroma_port" in settings.model_fields_set and parsed.port != settings.chroma_port:
            raise ConfigError(
                f"Cấu hình mâu thuẫn: NGHIQUYET_CHROMA_HOST={raw!r} ghi cổng {parsed.port} nhưng "
                f"NGHIQUYET_CHROMA_PORT={settings.chroma_port}. Chỉ ghi cổng ở một chỗ."
            )
        port = parsed.port
    return parsed.hostname, port, parsed.scheme == "https"


def _check_collection_name(name: str) -> None:
    ok = 3 <= len(name) <= 500 and set(name) <= _COLLECTION_NAME_CHARS and name[0].isalnum() and name[-1].isalnum()
    if not ok:
        raise ConfigError(
            f"NGHIQUYET_COLLECTION={name!r} không hợp lệ: cần 3–500 ký tự a-z, A-Z, 0-9, '.', '_', '-', "
            "bắt đầu và kết thúc bằng chữ hoặc số."
        )


def _unavailable(where: str, exc: BaseException | None = None) -> StoreUnavailable:
    detail = f" ({type(exc).__name__}: {exc})" if exc else ""
    return StoreUnavailable(
        f"Không kết nối được kho vector tại {where}{detail}.",
        "Kiểm tra máy chủ Chroma đang chạy (`chroma run --path <thư mục> --host <máy> --port <cổng>`) và "
        "NGHIQUYET_CHROMA_HOST / NGHIQUYET_CHROMA_PORT; hoặc bỏ NGHIQUYET_CHROMA_HOST để dùng kho cục bộ.",
    )


_STORAGE_FAILURE = re.compile(r"log store|compactor|disk image|not a database|hnsw", re.IGNORECASE)


def _damaged(path: Path, exc: BaseException) -> StoreDamaged:
    return StoreDamaged(
        f"Thư mục chỉ mục {path} bị hỏng hoặc không đọc được ({type(exc).__name__}: {exc}).", REBUILD_HINT
    )


def _forget_local_system(path: Path) -> None:
    """Drop Chroma's per-process cache entry for a local path whose opening failed.

    Chroma caches one `System` per path and keeps it even when starting it failed, so every later
    open in this process would fail too — the app could not recover after a rebuild.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(path)
    with SharedSystemClient._refcount_lock:
        if SharedSystemClient._identifier_to_refcount.get(key, 0) <= 0:
            SharedSystemClient._identifier_to_system.pop(key, None)


def _connect(settings: Settings) -> tuple[Any, str, Path | None]:
    """(client, human-readable location, local chroma dir or None)."""
    if settings.server_mode:
        host, port, ssl = _server_address(settings)
        where = f"{host}:{port}"
        # A quick heartbeat with a time limit first: Chroma's own client has no timeout and would
        # hang on a host that drops packets.
        scheme = "https" if ssl else "http"
        try:
            httpx.get(f"{scheme}://{where}/api/v2/heartbeat", timeout=settings.chroma_timeout_s).raise_for_status()
        except httpx.HTTPError as exc:
            raise _unavailable(where, exc) from exc
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_chroma_settings())
        except (ValueError, httpx.HTTPError) as exc:
            raise _unavailable(where, exc) from exc
        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):
            t = settings.chroma_timeout_s
            session.timeout = httpx.Timeout(max(60.0, 6 * t), connect=t)
        return client, where, None
    path = (Path(settings.store_dir) / CHROMA_DIR_NAME).resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Không tạo được thư mục chỉ mục {path}: {exc}.", "Kiểm tra quyền ghi hoặc chọn --store khác."
        ) from exc
    if not (path / "chroma.sqlite3").exists() and any(p.is_dir() for p in path.iterdir()):
        # Vector segments without their database: Chroma would silently start an empty one beside them.
        raise StoreDamaged(
            f"Thư mục chỉ mục {path} bị hỏng: thiếu tệp chroma.sqlite3 nhưng còn dữ liệu vector.", REBUILD_HINT
        )
    _check_database_file(path / "chroma.sqlite3")
    try:
        client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:  # noqa: BLE001 - Chroma's Rust core raises several kinds on a damaged directory
        _forget_local_system(path)
        raise environment_fault(path, exc) or _damaged(path, exc) from exc
    return client, str(path), path


_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_database_file(db: Path) -> None:
    """Refuse a chroma.sqlite3 that is not a database: Chroma would take a 0-byte file for a new, empty store."""
    if not db.exists():
        return
    try:
        with db.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise environment_fault(db.parent, exc) or _damaged(db.parent, exc) from exc
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        detail = "tệp rỗng (0 byte)" if not header else f"tệp chỉ có {len(header)} byte đầu hợp lệ" if len(header) < 100 else "không phải cơ sở dữ liệu SQLite"
        raise StoreDamaged(f"Thư mục chỉ mục {db.parent} bị hỏng: chroma.sqlite3 {detail}.", REBUILD_HINT)


def open_store(settings: Settings, embedder: Embedder) -> "ChunkStore":
    """Open (creating if needed) the configured store: embedded by default, a server when a host is set."""
    _check_collection_name(settings.collection)
    client, where, local = _connect(settings)
    store = ChunkStore(client, settings.collection, embedder.name, where=where, local_path=local)
    try:
        store.ensure_collections()
        store.note_own_changes()
    except BaseException:
        store.close()
        if local is not None:
            _forget_local_system(local)
        raise
    return store


def discard_local_store(settings: Settings) -> None:
    """Delete the embedded Chroma directory (for `--rebuild` of a damaged store). Caller holds the lock."""
    if settings.server_mode:
        return
    path = (Path(settings.store_dir) / CHROMA_DIR_NAME).resolve()
    _forget_local_system(path)
    if path.exists():
        shutil.rmtree(path)


def probe_local_search(settings: Settings) -> None:
    """Search the embedded chunk collection with one of its own vectors; creates and writes nothing.

    Meant for a child process (`nghiquyet doctor`): Chroma's native HNSW code can kill the process
    (SIGSEGV) on a damaged index file instead of raising, and only another process can report that.
    """
    path = (Path(settings.store_dir) / CHROMA_DIR_NAME).resolve()
    if not (path / "chroma.sqlite3").is_file():
        return
    client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    chunks = client.get_collection(settings.collection)
    page = chunks.get(include=["embeddings"], limit=1)
    if page["ids"]:
        chunks.query(query_embeddings=[[float(x) for x in page["embeddings"][0]]], n_results=5, include=[])


# --- the store ---------------------------------------------------------------------------------
class ChunkStore:
    """Chunks with vectors, committed per document. Thread-safe (Chroma's client is)."""

    def __init__(self, client: Any, name: str, embedder_name: str, *, where: str, local_path: Path | None) -> None:
        self._client = client
        self.name = name
        self.manifest_name = f"{name}{MANIFEST_SUFFIX}"
        self.embedder_name = embedder_name
        self.where = where
        self.local_path = local_path
        self._chunks: Any = None
        self._manifest: Any = None
        self._acquire_lock = threading.Lock()
        self._closed = False
        # Embedded mode: the fingerprint this process' vector index is known to reflect (see `query`).
        self._indexed_fingerprint: str | None = None
        # (generation token, fingerprint): the fingerprint is recomputed when the token moves.
        self._fingerprint_cache: tuple[str | None, str] | None = None

    @property
    def server_mode(self) -> bool:
        return self.local_path is None

    # --- plumbing -----------------------------------------------------------------------------
    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Chroma and transport errors → the product's store errors, with a Vietnamese message."""
        try:
            yield
        except StoreError:
            raise
        except OSError as exc:
            fault = environment_fault(self.local_path or self.where, exc)
            if fault is None:
                raise
            raise fault from exc
        except httpx.TransportError as exc:
            raise _unavailable(self.where, exc) from exc
        except ValueError as exc:
            if "Could not connect" in str(exc):
                raise _unavailable(self.where, exc) from exc
            raise
        except InternalError as exc:
            fault = environment_fault(self.local_path or self.where, exc)
            if fault is not None:
                raise fault from exc
            if self.local_path is not None:
                raise _damaged(self.local_path, exc) from exc
            raise StoreError(f"Máy chủ Chroma tại {self.where} báo lỗi: {exc}.", REBUILD_HINT) from exc
        except ChromaError as exc:
            fault = environment_fault(self.local_path or self.where, exc)
            if fault is not None:
                raise fault from exc
            # Chroma's Rust core reports an unreadable write-ahead log in a damaged chroma.sqlite3 as
            # InvalidArgumentError ("Failed to pull logs from the log store"): damage, not a bad argument.
            if self.local_path is not None and _STORAGE_FAILURE.search(str(exc)):
                raise _damaged(self.local_path, exc) from exc
            raise

    def _open_collections(self, client: Any) -> tuple[Any, Any]:
        chunks = client.get_or_create_collection(
            self.name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": self.embedder_name, "schema": SCHEMA_VERSION},
        )
        manifest = client.get_or_create_collection(
            self.manifest_name, embedding_function=None, metadata={"schema": SCHEMA_VERSION}
        )
        return chunks, manifest

    def ensure_collections(self) -> None:
        """Open both collections, creating them when missing."""
        with self._translated():
            pair = self._open_collections(self._client)
        with self._acquire_lock:
            self._chunks, self._manifest = pair

    def _collections(self) -> tuple[Any, Any]:
        with self._acquire_lock:
            pair = (self._chunks, self._manifest)
        if pair[0] is None or pair[1] is None:
            self.ensure_collections()
            with self._acquire_lock:
                pair = (self._chunks, self._manifest)
        return pair

    def _run(self, op: Callable[[Any, Any], T]) -> T:
        """Run `op(chunks, manifest)`; reopen once when another process dropped the collections."""
        if self._closed:
            raise StoreError("Kho vector đã đóng.", "Mở lại kho (khởi động lại lệnh).")
        with self._translated():
            try:
                return op(*self._collections())
            except NotFoundError:
                self.ensure_collections()
                return op(*self._collections())

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

    def _reopen_local(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        assert self.local_path is not None
        # Chroma shares one System per path in a process; drop it from the cache so the new client
        # starts a fresh one. Other handles keep the old System until they notice the change too.
        with SharedSystemClient._refcount_lock:
            SharedSystemClient._identifier_to_system.pop(str(self.local_path), None)
        with self._translated():
            client = chromadb.PersistentClient(path=str(self.local_path), settings=_chroma_settings())
            pair = self._open_collections(client)
        with self._acquire_lock:  # swapped at once: a concurrent operation uses the old or the new pair
            old, self._client = self._client, client
            self._chunks, self._manifest = pair
        try:
            old.close()  # gives back its reference count; the new client keeps the path's count above 0
        except Exception:  # noqa: BLE001
            pass

    def _check_embedder(self) -> None:
        stored = self._run(lambda c, m: (c.metadata or {}).get("embedder"))
        if stored and stored != self.embedder_name:
            raise StoreError(
                f"Kho tại {self.where} được dựng bằng mô hình nhúng '{stored}', cấu hình hiện tại là "
                f"'{self.embedder_name}'; vectors của hai mô hình không so sánh được.",
                "Đặt lại NGHIQUYET_EMBEDDING_MODEL như cũ, hoặc " + REBUILD_HINT[0].lower() + REBUILD_HINT[1:],
            )

    def _commits(self, sources: Iterable[str] | None = None) -> dict[str, _Commit]:
        """Committed documents from the manifest (all, or just these sources)."""
        wanted = None if sources is None else list(dict.fromkeys(sources))

        def read(_c: Any, m: Any) -> dict[str, _Commit]:
            out: dict[str, _Commit] = {}
            pages: list[dict[str, Any]] = []
            if wanted is None:
                pages.append(m.get(include=["metadatas", "documents"]))
            else:
                for start in range(0, len(wanted), _IN_LIMIT):
                    part = wanted[start:start + _IN_LIMIT]
                    if part:
                        pages.append(m.get(ids=part, include=["metadatas", "documents"]))
            for page in pages:
                for rid, version, md in zip(page["ids"], page["documents"], page["metadatas"]):
                    if rid == _GENERATION_ID:
                        continue
                    origin = md.get("origin")
                    out[rid] = _Commit(
                        rid, str(version), int(md["chunk_count"]), _meta_from_json(str(md["doc_json"])),
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

    def _scan(self, where: dict[str, Any] | None, include: list[str]) -> Iterator[dict[str, Any]]:
        """Pages of chunk records matching `where`."""
        offset = 0
        while True:
            page = self._run(lambda c, m: c.get(where=where, include=include, limit=_PAGE, offset=offset))
            if not page["ids"]:
                return
            yield page
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def _scan_versions(self, versions: Sequence[str], include: list[str]) -> Iterator[dict[str, Any]]:
        """Pages of the records of these versions only: records of an ingest still running (whose
        vectors an embedded client may not hold yet) and leftovers of a crash are never read."""
        for start in range(0, len(versions), _IN_LIMIT):
            part = list(versions[start:start + _IN_LIMIT])
            yield from self._scan({"version": part[0]} if len(part) == 1 else {"version": {"$in": part}}, include)

    def _records(self, page: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from zip(page["documents"], page["metadatas"])

    def _count_version(self, source: str, version: str) -> int:
        where = {"$and": [{"source": source}, {"version": version}]}
        return sum(len(p["ids"]) for p in self._scan(where, []))

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
        self._check_embedder()

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
            chunk_count=len(chunks), committed_at=time.time(), embedder=self.embedder_name, doc_json=_meta_json(meta)
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
        record_ids = [_record_id(c.id, version) for c in chunks]
        metadatas = [_chunk_metadata(c, version, written_at) for c in chunks]
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

    def _delete_where(self, where: dict[str, Any]) -> int:
        ids: list[str] = []
        for page in self._scan(where, []):
            ids.extend(page["ids"])
        batch = max(1, int(self._run(lambda c, m: self._client.get_max_batch_size())))
        for start in range(0, len(ids), batch):
            part = ids[start:start + batch]
            self._run(lambda c, m: c.delete(ids=part))
        return len(ids)

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
        removed = self._delete_where(_and(*clauses) or {"version": {"$ne": ""}})
        if removed:
            self._bump_generation()  # heals a crash between a delete and its token
        return removed

    def reset(self) -> None:
        """Drop both collections and start empty (`--rebuild`)."""

        def drop(_c: Any, _m: Any) -> None:
            for name in (self.manifest_name, self.name):  # manifest first: readers see "empty", never "half"
                try:
                    self._client.delete_collection(name)
                except NotFoundError:
                    pass
                except ValueError as exc:  # older Chroma raises ValueError for a missing collection
                    if "does not exist" not in str(exc):
                        raise

        self._run(drop)
        self.ensure_collections()
        self._bump_generation()
        self.note_own_changes()

    def close(self) -> None:
        """Release the client (on an embedded store: the SQLite files)."""
        if self._closed:
            return
        self._closed = True
        close = getattr(self._client, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - closing a half-opened client must not mask the real error
                pass

    # --- reading -----------------------------------------------------------------------------
    def documents(self) -> list[StoredDocument]:
        return [StoredDocument(c.meta, c.chunk_count, c.origin) for _, c in sorted(self._commits().items())]

    def document_hash(self, source: str) -> str | None:
        commit = self._commits([source]).get(source)
        return commit.meta.content_hash if commit else None

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
                    out.append(_chunk_from_record(text, md, metas))
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

    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """Committed chunks with these `Chunk.id`s, in the order asked (unknown ids are left out)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Chunk] = {}
        metas: dict[str, DocumentMeta] = {}
        records: list[tuple[str, dict[str, Any]]] = []
        for start in range(0, len(wanted), _IN_LIMIT):
            part = wanted[start:start + _IN_LIMIT]
            where = {"chunk_id": part[0]} if len(part) == 1 else {"chunk_id": {"$in": part}}
            for page in self._scan(where, ["metadatas", "documents"]):
                records.extend(self._records(page))
        versions = self._commit_versions({str(md["source"]) for _, md in records})
        for text, md in records:
            if versions.get(str(md["source"])) == md.get("version"):
                found[str(md["chunk_id"])] = _chunk_from_record(text, md, metas)
        return [found[i] for i in wanted if i in found]

    def _commit_versions(self, sources: Iterable[str]) -> dict[str, str]:
        return {s: c.version for s, c in self._commits(sources).items()}

    def query(
        self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The k committed chunks nearest to `embedding` (cosine similarity, higher is better)."""
        if k < 1:
            raise ValueError(f"k must be positive, got {k}")
        self._check_embedder()
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
                (_chunk_from_record(text, md, metas), 1.0 - float(dist))
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
        self._check_embedder()
        self._follow_other_processes()
        vector = [float(x) for x in embedding]
        res = self._run(lambda c, m: c.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"]))
        return [(chunk_id_of_record(rid), 1.0 - float(dist)) for rid, dist in zip(res["ids"][0], res["distances"][0])]

    def health(self) -> list[str]:
        """Problems found (in Vietnamese); empty when the store is consistent and searchable."""
        problems: list[str] = []
        try:
            self._check_embedder()
        except StoreError as exc:
            problems.append(exc.message)
        names = set(self._run(lambda c, m: [getattr(x, "name", x) for x in self._client.list_collections()]))
        for name in (self.name, self.manifest_name):
            if name not in names:
                problems.append(f"Thiếu collection '{name}' trong kho tại {self.where}.")
        commits = self._commits()
        counts: dict[tuple[str, str], int] = {}
        for page in self._scan(None, ["metadatas"]):
            for md in page["metadatas"]:
                key = (str(md.get("source")), str(md.get("version")))
                counts[key] = counts.get(key, 0) + 1
        for source, commit in sorted(commits.items()):
            have = counts.get((source, commit.version), 0)
            if have != commit.chunk_count:
                problems.append(
                    f"Tài liệu {source}: sổ ghi {commit.chunk_count} đoạn nhưng kho chỉ có {have}; "
                    "nạp lại tệp này để sửa."
                )
        problems.extend(self._search_probe(commits))
        return problems

    def leftover_records(self) -> int:
        """Records no committed version owns: what an interrupted ingest left. Invisible to readers and
        removed by the next ingest, so they are a notice, not damage."""
        versions = self._versions()
        leftovers = 0
        for page in self._scan(None, ["metadatas"]):
            for md in page["metadatas"]:
                if versions.get(str(md.get("source"))) != md.get("version"):
                    leftovers += 1
        return leftovers

    def _search_probe(self, commits: dict[str, _Commit]) -> list[str]:
        """Search with a few stored vectors: each must find itself (catches a damaged vector index)."""
        problems: list[str] = []
        for source, commit in sorted(commits.items())[:3]:
            where = {"$and": [{"source": source}, {"version": commit.version}]}
            page = self._run(lambda c, m: c.get(where=where, include=["embeddings"], limit=1))
            if not page["ids"]:
                continue
            rid, vector = page["ids"][0], [float(x) for x in page["embeddings"][0]]
            found = self._run(lambda c, m: c.query(query_embeddings=[vector], n_results=5, include=["distances"]))
            # Identical passages have identical vectors, and which of them comes first is arbitrary:
            # the record counts as found when it, or a record at distance ~0 (its twin), comes back.
            ids, distances = found["ids"][0], found["distances"][0]
            if rid not in ids and not (distances and float(distances[0]) <= 1e-4):
                problems.append(f"Tìm kiếm vector không thấy lại đoạn đã lưu của {source}: chỉ mục vector có thể hỏng.")
        return problems
