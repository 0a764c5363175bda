"""Ingestion of a batch of files into the store: expand, prepare, skip what is current, embed what is new.

Each file is prepared (loaded, repaired, chunked) by `ingest.pipeline`, then committed to the store
all-or-nothing (`ChunkStore.add_document`). A file that cannot be read is reported with the reason
and the batch goes on; what the index held before stays as it was. Only an unusable store or
embedder stops the batch. On an embedded store the whole batch runs under the ingestion lock.

Document identity
    A document is the file it was read from, not its name. Its `source` (shown in the library and in
    citations) is the file name, NFC-normalised; a file from another place with a name already taken
    gets the shortest path suffix that is free ("b/nghi-quyet.txt"), so it is a new document and never
    replaces the first one. Re-ingesting the same file (same absolute path) updates its document. A
    file whose bytes equal a document already stored under another name is not indexed twice: it is
    reported once, with the name it duplicates.
"""

from __future__ import annotations

import errno
import logging
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from core.config import Settings
from core.errors import IngestError, UnsupportedFileType
from ingest.models import DOC_VECTOR_WEIGHT, Chunk, DocumentMeta, EmbedContext
from vectorstore.client import discard_local_store
from vectorstore.embeddings import blend
from vectorstore.faults import environment_fault
from vectorstore.lock import ingest_lock
from vectorstore.store import SERVER_GC_GRACE_S, ChunkStore, StoredDocument

if TYPE_CHECKING:
    from vectorstore.embeddings import Embedder

log = logging.getLogger(__name__)

Stage = Literal["prepare", "ocr", "embed", "write", "done"]
Status = Literal["added", "updated", "unchanged", "skipped", "failed"]
_INDEXED: tuple[Status, ...] = ("added", "updated", "unchanged")
_EMBED_SLICE = 64  # passages per embedding call, so progress moves during a long document


@dataclass(frozen=True)
class IngestProgress:
    """Where a running ingest is: file `index` (1-based) of `total`, and its stage."""

    path: str
    index: int
    total: int
    stage: Stage
    passages_done: int = 0   # in stage "ocr": scanned pages recognised so far, of `passages_total`
    passages_total: int = 0


@dataclass(frozen=True)
class FileResult:
    """What happened to one file."""

    path: str
    source: str
    status: Status
    chunks: int = 0
    province: str | None = None
    years: tuple[int, ...] = ()
    doc_type: str | None = None
    reason: str | None = None          # why it was skipped or failed, in Vietnamese
    warnings: tuple[str, ...] = ()     # from preparation (e.g. text repaired), in Vietnamese

    @property
    def indexed(self) -> bool:
        return self.status in _INDEXED


@dataclass(frozen=True)
class IngestReport:
    results: tuple[FileResult, ...]
    elapsed_s: float
    passages_embedded: int = 0   # computed by the model (cache misses)
    leftovers_removed: int = 0   # records of interrupted earlier ingests, garbage-collected
    rebuilt: bool = False

    @property
    def ok(self) -> bool:
        """True when every file is in the index."""
        return all(r.indexed for r in self.results)

    def with_status(self, *statuses: Status) -> list[FileResult]:
        return [r for r in self.results if r.status in statuses]

    @property
    def counts(self) -> dict[Status, int]:
        """Files per status (every status present, zeros included)."""
        statuses: tuple[Status, ...] = ("added", "updated", "unchanged", "skipped", "failed")
        return {s: len(self.with_status(s)) for s in statuses}

    @property
    def chunks_written(self) -> int:
        """Chunks of added or updated documents (unchanged documents write nothing)."""
        return sum(r.chunks for r in self.with_status("added", "updated"))

    def summary(self) -> str:
        """"5 tài liệu đã nạp (…), 1 bỏ qua:" then one line per file not indexed: "- x.pdf: lý do"."""
        indexed = [r for r in self.results if r.indexed]
        counts = self.counts
        line = (
            f"{len(indexed)} tài liệu đã nạp ({counts['added']} mới, {counts['updated']} cập nhật, "
            f"{counts['unchanged']} không đổi)"
        )
        problems = [r for r in self.results if not r.indexed]
        if not problems:
            return f"{line}, 0 bỏ qua."
        listed = "\n".join(f"- {r.source or Path(r.path).name or r.path}: {r.reason}" for r in problems)
        return f"{line}, {len(problems)} bỏ qua:\n{listed}"


def _supported_suffixes() -> frozenset[str]:
    from ingest.loaders import SUPPORTED_SUFFIXES

    return frozenset(s.lower() for s in SUPPORTED_SUFFIXES)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files to ingest (directories searched recursively for supported, non-hidden files) and path errors."""
    from ingest.sidecar import is_sidecar

    suffixes = _supported_suffixes()
    files: list[Path] = []
    problems: list[FileResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Sidecar metadata files and anything else unsupported are not documents.
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in suffixes and not is_sidecar(p) and not _hidden(p, path)
            )
            if not found:
                problems.append(FileResult(
                    str(path), path.name, "skipped",
                    reason=f"thư mục không có tệp nào được hỗ trợ ({', '.join(sorted(suffixes))})",
                ))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(FileResult(str(path), path.name, "failed", reason="không tìm thấy tệp hoặc thư mục"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, problems


def nfc(name: str) -> str:
    """Names are compared in NFC: a file named on macOS or inside a zip arrives decomposed (NFD)."""
    return unicodedata.normalize("NFC", name)


class _Identities:
    """Which source a file gets, from what the store holds and what this batch has committed so far."""

    def __init__(self, documents: Sequence[StoredDocument], previous: Sequence[StoredDocument] = ()) -> None:
        self.by_origin: dict[str, str] = {}
        self.origin_of: dict[str, str | None] = {}
        self.by_content: dict[str, str] = {}
        # what the store held before a `--rebuild`: a file keeps its name, and no other file takes it
        self.reserved: dict[str, str] = {d.origin: d.meta.source for d in previous if d.origin}
        self.reserved_names: dict[str, str] = {d.meta.source: d.origin for d in previous if d.origin}
        for doc in documents:
            self.claim(doc.meta.source, doc.origin, doc.meta.content_hash)

    def claim(self, source: str, origin: str | None, content_hash: str) -> None:
        self.origin_of[source] = origin
        if origin:
            self.by_origin[origin] = source
        if content_hash:
            self.by_content.setdefault(content_hash, source)

    def source_for(self, path: Path) -> str:
        origin = str(path)
        known = self.by_origin.get(origin)
        if known is not None:
            return known
        kept = self.reserved.get(origin)
        if kept is not None and kept not in self.origin_of:
            return kept
        parts = [nfc(p) for p in path.parts if p not in (path.anchor, "")]
        for n in range(1, len(parts) + 1):
            candidate = "/".join(parts[-n:])
            if candidate not in self.origin_of and self.reserved_names.get(candidate, origin) == origin:
                return candidate
            if n == 1 and self.origin_of[candidate] is None:
                return candidate  # stored before origins were kept: the same name is the same document, as then
        return nfc(str(path))

    def duplicate_of(self, source: str, content_hash: str) -> str | None:
        holder = self.by_content.get(content_hash)
        return holder if holder is not None and holder != source else None


def _renamed(meta: DocumentMeta, chunks: list[Chunk], source: str) -> tuple[DocumentMeta, list[Chunk]]:
    if meta.source == source:
        return meta, chunks
    meta = replace(meta, source=source)
    return meta, [replace(c, source=source, doc=meta) for c in chunks]


def discard_derived_indexes(settings: Settings) -> None:
    """Drop the saved lexical and dense indexes: `--rebuild` rebuilds them from the store, never reuses them."""
    from retrieval.hybrid import DENSE_DIR, LEXICAL_DIR

    for name in (LEXICAL_DIR, DENSE_DIR):
        shutil.rmtree(Path(settings.store_dir) / name, ignore_errors=True)


@contextmanager
def _writing(settings: Settings) -> Iterator[None]:
    """The ingestion lock; a store the machine will not let us write is named as such, not as damage."""
    try:
        with ingest_lock(settings):
            yield
    except OSError as exc:
        fault = environment_fault(Path(settings.store_dir), exc)
        if fault is None:
            raise
        raise fault from exc


_OS_REASONS = {
    errno.ENOENT: "tệp không còn ở đó (đã bị xoá hoặc đổi tên trong lúc nạp)",
    errno.EACCES: "không có quyền đọc tệp",
    errno.EPERM: "không có quyền đọc tệp",
    errno.EISDIR: "đây là thư mục, không phải tệp",
    errno.EIO: "lỗi đọc ổ đĩa",
    errno.ELOOP: "liên kết tượng trưng trỏ vòng",
}


def _unreadable(exc: OSError) -> str:
    """Why a file could not be read, in Vietnamese (the system's own text is English)."""
    why = _OS_REASONS.get(exc.errno or -1, f"lỗi hệ thống số {exc.errno}" if exc.errno else "lỗi hệ thống")
    return f"không đọc được tệp: {why}"


def _embedded_so_far(embedder: "Embedder") -> int:
    return int(getattr(embedder, "passages_embedded", 0))


def embed_chunks(
    embedder: "Embedder",
    chunks: Sequence[Chunk],
    context: EmbedContext,
    report: Callable[[int], None] = lambda done: None,
) -> list[list[float]]:
    """The stored vector of each chunk, as `context` (Settings.embed_context) says to build it."""
    texts = [c.embed_text(context) for c in chunks]
    docs = [c.doc_embed_text(context) for c in chunks]
    # A document's own vector is computed once (one short text), not paid for in every passage's tokens.
    distinct = list(dict.fromkeys(d for d in docs if d))
    doc_vectors = dict(zip(distinct, embedder.embed_passages(distinct))) if distinct else {}
    vectors: list[list[float]] = []
    for start in range(0, len(texts), _EMBED_SLICE):
        part = embedder.embed_passages(texts[start:start + _EMBED_SLICE])
        for vector, doc in zip(part, docs[start:start + _EMBED_SLICE]):
            vectors.append(blend(vector, doc_vectors[doc], DOC_VECTOR_WEIGHT) if doc else vector)
        report(len(vectors))
    return vectors


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    store: ChunkStore,
    embedder: "Embedder",
    *,
    rebuild: bool = False,
    progress: Callable[[IngestProgress], None] | None = None,
) -> IngestReport:
    """Ingest files and directories; returns a per-file report. Raises only when the store/embedder fails."""
    from ingest.pipeline import prepare_document

    started = time.perf_counter()
    embedded_before = _embedded_so_far(embedder)
    files, results = expand_paths(paths)

    def tell(path: Path, index: int, stage: Stage, done: int = 0, todo: int = 0) -> None:
        if progress is not None:
            progress(IngestProgress(str(path), index, len(files), stage, done, todo))

    with _writing(settings):
        previous: list[StoredDocument] = []
        if rebuild:
            previous = store.documents()
            store.reset()
            discard_derived_indexes(settings)
            leftovers = 0
        else:
            leftovers = store.collect_garbage(min_age_s=SERVER_GC_GRACE_S if settings.server_mode else 0.0)
        identities = _Identities(store.documents(), previous)
        for index, path in enumerate(files, start=1):
            tell(path, index, "prepare")
            try:
                prepared = prepare_document(
                    path, settings, on_page=lambda done, todo: tell(path, index, "ocr", done, todo),  # noqa: B023
                )
            except UnsupportedFileType as exc:
                results.append(FileResult(str(path), path.name, "skipped", reason=exc.user_message()))
                continue
            except IngestError as exc:
                results.append(FileResult(str(path), path.name, "failed", reason=exc.user_message()))
                continue
            except OSError as exc:
                results.append(FileResult(str(path), path.name, "failed", reason=_unreadable(exc)))
                continue
            except Exception:  # noqa: BLE001 - one odd file must not stop the batch
                log.exception("Unexpected error while preparing %s", path)
                reason = "lỗi không lường trước khi xử lý tệp (chi tiết ở nhật ký của chương trình); hãy gửi tệp này cho người quản trị"
                results.append(FileResult(str(path), path.name, "failed", reason=reason))
                continue
            meta, chunks = _renamed(prepared.meta, list(prepared.chunks), identities.source_for(path))
            described = FileResult(
                str(path), meta.source, "added", chunks=len(chunks), province=meta.province,
                years=meta.years, doc_type=meta.doc_type, warnings=tuple(prepared.warnings),
            )
            twin = identities.duplicate_of(meta.source, meta.content_hash)
            if twin is not None:
                results.append(replace(described, status="skipped", chunks=0, reason=(
                    f"cùng nội dung với «{twin}» đã có trong kho; không lập chỉ mục lần nữa"
                )))
                continue
            if not chunks:
                results.append(replace(described, status="failed", reason="không có đoạn văn bản nào để lập chỉ mục"))
                continue
            existed = meta.source in identities.origin_of
            origin = str(path)
            if existed and identities.origin_of[meta.source] in (origin, None) and store.is_current(meta, chunks):
                if identities.origin_of[meta.source] is None:
                    store.record_origin(meta.source, origin)
                    identities.claim(meta.source, origin, meta.content_hash)
                results.append(replace(described, status="unchanged"))
                tell(path, index, "done")
                continue
            tell(path, index, "embed", 0, len(chunks))
            vectors = embed_chunks(
                embedder, chunks, settings.embed_context, lambda done: tell(path, index, "embed", done, len(chunks))
            )
            tell(path, index, "write", len(chunks), len(chunks))
            store.add_document(meta, chunks, vectors, origin=origin)
            identities.claim(meta.source, origin, meta.content_hash)
            results.append(replace(described, status="updated" if existed else "added"))
            tell(path, index, "done", len(chunks), len(chunks))

    return IngestReport(
        results=tuple(results),
        elapsed_s=time.perf_counter() - started,
        passages_embedded=_embedded_so_far(embedder) - embedded_before,
        leftovers_removed=leftovers,
        rebuilt=rebuild,
    )


def find_source(name: str, store: ChunkStore) -> str | None:
    """The stored source a typed name means: exact, then NFC-equal, then by file name when only one matches."""
    sources = [d.meta.source for d in store.documents()]
    if name in sources:
        return name
    wanted = nfc(name)
    equal = [s for s in sources if nfc(s) == wanted]
    if equal:
        return equal[0]
    tail = nfc(Path(name).name)
    by_name = [s for s in sources if nfc(s).rsplit("/", 1)[-1] == tail]
    return by_name[0] if len(by_name) == 1 else None


def delete_document(source: str, settings: Settings, store: ChunkStore) -> int:
    """Remove a document by its source; returns how many chunks it had (0: not found)."""
    with _writing(settings):
        return store.delete_document(find_source(source, store) or source)


def discard_damaged_store(settings: Settings) -> None:
    """Delete an embedded store that cannot be opened, and the indexes derived from it, so `--rebuild`
    can start clean."""
    with _writing(settings):
        discard_local_store(settings)
        discard_derived_indexes(settings)
