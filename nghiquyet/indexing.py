"""Ingestion of a batch of files into the store: expand, prepare, skip what is current, embed what is new.

Each file is prepared (loaded, repaired, chunked) by `ingest.pipeline`, then committed to the store
all-or-nothing (`ChunkStore.add_document`). A file that cannot be read is reported with the reason
and the batch goes on; what the index held before stays as it was. Only an unusable store or
embedder stops the batch. On an embedded store the whole batch runs under the ingestion lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ingest.models import DOC_VECTOR_WEIGHT, Chunk, EmbedContext
from nghiquyet.config import Settings
from nghiquyet.errors import IngestError, UnsupportedFileType
from vectorstore.embeddings import blend
from vectorstore.lock import ingest_lock
from vectorstore.store import SERVER_GC_GRACE_S, ChunkStore, discard_local_store

if TYPE_CHECKING:
    from vectorstore.embeddings import Embedder

log = logging.getLogger(__name__)

Stage = Literal["prepare", "embed", "write", "done"]
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
    passages_done: int = 0
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
        """One Vietnamese line: "5 tài liệu đã nạp (…), 1 bỏ qua: x.pdf (lý do)"."""
        indexed = [r for r in self.results if r.indexed]
        counts = self.counts
        line = (
            f"{len(indexed)} tài liệu đã nạp ({counts['added']} mới, {counts['updated']} cập nhật, "
            f"{counts['unchanged']} không đổi)"
        )
        problems = [r for r in self.results if not r.indexed]
        if not problems:
            return f"{line}, 0 bỏ qua."
        listed = "; ".join(f"{Path(r.path).name or r.path} ({r.reason})" for r in problems)
        return f"{line}, {len(problems)} bỏ qua: {listed}"


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

    with ingest_lock(settings):
        if rebuild:
            store.reset()
            leftovers = 0
        else:
            leftovers = store.collect_garbage(min_age_s=SERVER_GC_GRACE_S if settings.server_mode else 0.0)
        seen: dict[str, Path] = {}
        for index, path in enumerate(files, start=1):
            tell(path, index, "prepare")
            try:
                prepared = prepare_document(path, settings)
            except UnsupportedFileType as exc:
                results.append(FileResult(str(path), path.name, "skipped", reason=exc.user_message()))
                continue
            except IngestError as exc:
                results.append(FileResult(str(path), path.name, "failed", reason=exc.user_message()))
                continue
            except OSError as exc:
                reason = f"không đọc được tệp ({exc.strerror or exc})"
                results.append(FileResult(str(path), path.name, "failed", reason=reason))
                continue
            except Exception as exc:  # noqa: BLE001 - one odd file must not stop the batch
                log.exception("Unexpected error while preparing %s", path)
                reason = f"lỗi không lường trước khi xử lý tệp ({type(exc).__name__}: {exc})"
                results.append(FileResult(str(path), path.name, "failed", reason=reason))
                continue
            meta, chunks = prepared.meta, list(prepared.chunks)
            described = FileResult(
                str(path), meta.source, "added", chunks=len(chunks), province=meta.province,
                years=meta.years, doc_type=meta.doc_type, warnings=tuple(prepared.warnings),
            )
            if meta.source in seen:
                results.append(replace(described, status="skipped", reason=(
                    f"trùng tên với {seen[meta.source]}; tài liệu trong kho được nhận diện bằng tên tệp"
                )))
                continue
            seen[meta.source] = path
            if not chunks:
                results.append(replace(described, status="failed", reason="không có đoạn văn bản nào để lập chỉ mục"))
                continue
            existed = store.document_hash(meta.source) is not None
            if existed and store.is_current(meta, chunks):
                results.append(replace(described, status="unchanged"))
                tell(path, index, "done")
                continue
            tell(path, index, "embed", 0, len(chunks))
            vectors = embed_chunks(
                embedder, chunks, settings.embed_context, lambda done: tell(path, index, "embed", done, len(chunks))
            )
            tell(path, index, "write", len(chunks), len(chunks))
            store.add_document(meta, chunks, vectors)
            results.append(replace(described, status="updated" if existed else "added"))
            tell(path, index, "done", len(chunks), len(chunks))

    return IngestReport(
        results=tuple(results),
        elapsed_s=time.perf_counter() - started,
        passages_embedded=_embedded_so_far(embedder) - embedded_before,
        leftovers_removed=leftovers,
        rebuilt=rebuild,
    )


def delete_document(source: str, settings: Settings, store: ChunkStore) -> int:
    """Remove a document by its source (file name); returns how many chunks it had (0: not found)."""
    with ingest_lock(settings):
        return store.delete_document(source)


def discard_damaged_store(settings: Settings) -> None:
    """Delete an embedded store that cannot be opened, so `--rebuild` can start clean."""
    with ingest_lock(settings):
        discard_local_store(settings)
