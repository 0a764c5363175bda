"""The Chroma client and the store's two collections: opening, reopening, paging, error translation.

Clients
    Embedded `chromadb.PersistentClient(<store_dir>/chroma)` by default; `chromadb.HttpClient` when
    `NGHIQUYET_CHROMA_HOST` is set (a `chroma run` server, shared by several app processes). After
    construction both go through the same code. Chroma never embeds anything here: collections are
    created with `embedding_function=None` and every vector is computed by our `Embedder` (a
    collection without one would fall back to Chroma's default model, which downloads weights).
    Every Chroma or transport error leaves this module as one of the product's store errors, with a
    Vietnamese message: unreachable, damaged, read-only, disk full.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, InternalError, NotFoundError

from core.config import ConfigError, Settings
from core.errors import StoreDamaged, StoreError, StoreUnavailable
from vectorstore.faults import environment_fault
from vectorstore.records import SCHEMA_VERSION

T = TypeVar("T")

MANIFEST_SUFFIX = "_documents"
CHROMA_DIR_NAME = "chroma"
PAGE = 2000                # records per `get` page when scanning a collection
IN_LIMIT = 500             # values per `$in` filter
_COLLECTION_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

REBUILD_HINT = "Chạy `nghiquyet ingest --rebuild <thư mục tài liệu>` để dựng lại chỉ mục (tệp gốc không bị ảnh hưởng)."


def chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def server_address(settings: Settings) -> tuple[str, int, bool]:
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


def check_collection_name(name: str) -> None:
    ok = 3 <= len(name) <= 500 and set(name) <= _COLLECTION_NAME_CHARS and name[0].isalnum() and name[-1].isalnum()
    if not ok:
        raise ConfigError(
            f"NGHIQUYET_COLLECTION={name!r} không hợp lệ: cần 3–500 ký tự a-z, A-Z, 0-9, '.', '_', '-', "
            "bắt đầu và kết thúc bằng chữ hoặc số."
        )


def unavailable(where: str, exc: BaseException | None = None) -> StoreUnavailable:
    detail = f" ({type(exc).__name__}: {exc})" if exc else ""
    return StoreUnavailable(
        f"Không kết nối được kho vector tại {where}{detail}.",
        "Kiểm tra máy chủ Chroma đang chạy (`chroma run --path <thư mục> --host <máy> --port <cổng>`) và "
        "NGHIQUYET_CHROMA_HOST / NGHIQUYET_CHROMA_PORT; hoặc bỏ NGHIQUYET_CHROMA_HOST để dùng kho cục bộ.",
    )


STORAGE_FAILURE = re.compile(r"log store|compactor|disk image|not a database|hnsw", re.IGNORECASE)


def damaged(path: Path, exc: BaseException) -> StoreDamaged:
    return StoreDamaged(
        f"Thư mục chỉ mục {path} bị hỏng hoặc không đọc được ({type(exc).__name__}: {exc}).", REBUILD_HINT
    )


def forget_local_system(path: Path) -> None:
    """Drop Chroma's per-process cache entry for a local path whose opening failed.

    Chroma caches one `System` per path and keeps it even when starting it failed, so every later
    open in this process would fail too — the app could not recover after a rebuild.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(path)
    with SharedSystemClient._refcount_lock:
        if SharedSystemClient._identifier_to_refcount.get(key, 0) <= 0:
            SharedSystemClient._identifier_to_system.pop(key, None)


def connect(settings: Settings) -> tuple[Any, str, Path | None]:
    """(client, human-readable location, local chroma dir or None)."""
    if settings.server_mode:
        host, port, ssl = server_address(settings)
        where = f"{host}:{port}"
        # A quick heartbeat with a time limit first: Chroma's own client has no timeout and would
        # hang on a host that drops packets.
        scheme = "https" if ssl else "http"
        try:
            httpx.get(f"{scheme}://{where}/api/v2/heartbeat", timeout=settings.chroma_timeout_s).raise_for_status()
        except httpx.HTTPError as exc:
            raise unavailable(where, exc) from exc
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings())
        except (ValueError, httpx.HTTPError) as exc:
            raise unavailable(where, exc) from exc
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
    check_database_file(path / "chroma.sqlite3")
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings())
    except Exception as exc:  # noqa: BLE001 - Chroma's Rust core raises several kinds on a damaged directory
        forget_local_system(path)
        raise environment_fault(path, exc) or damaged(path, exc) from exc
    return client, str(path), path


SQLITE_HEADER = b"SQLite format 3\x00"


def check_database_file(db: Path) -> None:
    """Refuse a chroma.sqlite3 that is not a database: Chroma would take a 0-byte file for a new, empty store."""
    if not db.exists():
        return
    try:
        with db.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise environment_fault(db.parent, exc) or damaged(db.parent, exc) from exc
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        detail = "tệp rỗng (0 byte)" if not header else f"tệp chỉ có {len(header)} byte đầu hợp lệ" if len(header) < 100 else "không phải cơ sở dữ liệu SQLite"
        raise StoreDamaged(f"Thư mục chỉ mục {db.parent} bị hỏng: chroma.sqlite3 {detail}.", REBUILD_HINT)


def discard_local_store(settings: Settings) -> None:
    """Delete the embedded Chroma directory (for `--rebuild` of a damaged store). Caller holds the lock."""
    if settings.server_mode:
        return
    path = (Path(settings.store_dir) / CHROMA_DIR_NAME).resolve()
    forget_local_system(path)
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
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings())
    chunks = client.get_collection(settings.collection)
    page = chunks.get(include=["embeddings"], limit=1)
    if page["ids"]:
        chunks.query(query_embeddings=[[float(x) for x in page["embeddings"][0]]], n_results=5, include=[])


class Collections:
    """The chunk collection and its manifest on one client. Thread-safe (Chroma's client is)."""

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

    @property
    def server_mode(self) -> bool:
        return self.local_path is None

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
            raise unavailable(self.where, exc) from exc
        except ValueError as exc:
            if "Could not connect" in str(exc):
                raise unavailable(self.where, exc) from exc
            raise
        except InternalError as exc:
            fault = environment_fault(self.local_path or self.where, exc)
            if fault is not None:
                raise fault from exc
            if self.local_path is not None:
                raise damaged(self.local_path, exc) from exc
            raise StoreError(f"Máy chủ Chroma tại {self.where} báo lỗi: {exc}.", REBUILD_HINT) from exc
        except ChromaError as exc:
            fault = environment_fault(self.local_path or self.where, exc)
            if fault is not None:
                raise fault from exc
            # Chroma's Rust core reports an unreadable write-ahead log in a damaged chroma.sqlite3 as
            # InvalidArgumentError ("Failed to pull logs from the log store"): damage, not a bad argument.
            if self.local_path is not None and STORAGE_FAILURE.search(str(exc)):
                raise damaged(self.local_path, exc) from exc
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

    def _reopen_local(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        assert self.local_path is not None
        # Chroma shares one System per path in a process; drop it from the cache so the new client
        # starts a fresh one. Other handles keep the old System until they notice the change too.
        with SharedSystemClient._refcount_lock:
            SharedSystemClient._identifier_to_system.pop(str(self.local_path), None)
        with self._translated():
            client = chromadb.PersistentClient(path=str(self.local_path), settings=chroma_settings())
            pair = self._open_collections(client)
        with self._acquire_lock:  # swapped at once: a concurrent operation uses the old or the new pair
            old, self._client = self._client, client
            self._chunks, self._manifest = pair
        try:
            old.close()  # gives back its reference count; the new client keeps the path's count above 0
        except Exception:  # noqa: BLE001
            pass

    def _scan(self, where: dict[str, Any] | None, include: list[str]) -> Iterator[dict[str, Any]]:
        """Pages of chunk records matching `where`."""
        offset = 0
        while True:
            page = self._run(lambda c, m: c.get(where=where, include=include, limit=PAGE, offset=offset))
            if not page["ids"]:
                return
            yield page
            if len(page["ids"]) < PAGE:
                return
            offset += PAGE

    def _scan_versions(self, versions: Sequence[str], include: list[str]) -> Iterator[dict[str, Any]]:
        """Pages of the records of these versions only: records of an ingest still running (whose
        vectors an embedded client may not hold yet) and leftovers of a crash are never read."""
        for start in range(0, len(versions), IN_LIMIT):
            part = list(versions[start:start + IN_LIMIT])
            yield from self._scan({"version": part[0]} if len(part) == 1 else {"version": {"$in": part}}, include)

    def _records(self, page: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from zip(page["documents"], page["metadatas"])

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

    def check_embedder(self) -> None:
        stored = self._run(lambda c, m: (c.metadata or {}).get("embedder"))
        if stored and stored != self.embedder_name:
            raise StoreError(
                f"Kho tại {self.where} được dựng bằng mô hình nhúng '{stored}', cấu hình hiện tại là "
                f"'{self.embedder_name}'; vectors của hai mô hình không so sánh được.",
                "Đặt lại NGHIQUYET_EMBEDDING_MODEL như cũ, hoặc " + REBUILD_HINT[0].lower() + REBUILD_HINT[1:],
            )

    def _count_version(self, source: str, version: str) -> int:
        where = {"$and": [{"source": source}, {"version": version}]}
        return sum(len(p["ids"]) for p in self._scan(where, []))

    def _delete_where(self, where: dict[str, Any]) -> int:
        ids: list[str] = []
        for page in self._scan(where, []):
            ids.extend(page["ids"])
        batch = max(1, int(self._run(lambda c, m: self._client.get_max_batch_size())))
        for start in range(0, len(ids), batch):
            part = ids[start:start + batch]
            self._run(lambda c, m: c.delete(ids=part))
        return len(ids)

    def drop_collections(self) -> None:
        """Delete both collections (the manifest first: readers see "empty", never "half")."""

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

    # --- generic reads (the health checks use them) ------------------------------------------------
    def collection_names(self) -> list[str]:
        return list(self._run(lambda c, m: [getattr(x, "name", x) for x in self._client.list_collections()]))

    def records_per_version(self) -> dict[tuple[str, str], int]:
        """How many chunk records each (source, version) has, committed or not."""
        counts: dict[tuple[str, str], int] = {}
        for page in self._scan(None, ["metadatas"]):
            for md in page["metadatas"]:
                key = (str(md.get("source")), str(md.get("version")))
                counts[key] = counts.get(key, 0) + 1
        return counts

    def stored_vector(self, source: str, version: str) -> tuple[str, list[float]] | None:
        """(record id, vector) of one record of a version, or None when it has none."""
        where = {"$and": [{"source": source}, {"version": version}]}
        page = self._run(lambda c, m: c.get(where=where, include=["embeddings"], limit=1))
        if not page["ids"]:
            return None
        return page["ids"][0], [float(x) for x in page["embeddings"][0]]

    def nearest_records(self, vector: Sequence[float], k: int) -> tuple[list[str], list[float]]:
        """Record ids and cosine distances of the k records nearest to `vector`, all versions."""
        found = self._run(lambda c, m: c.query(query_embeddings=[list(vector)], n_results=k, include=["distances"]))
        return list(found["ids"][0]), [float(d) for d in found["distances"][0]]
