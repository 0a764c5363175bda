"""The document library behind the app's second page: uploads, re-indexing, deletion.

Uploaded files are saved under `<store_dir>/documents/` and then ingested by `Engine.ingest` — the
same code path as `nghiquyet ingest` — so what the page shows is what the CLI would have done.

The app has no login, so an upload never replaces a document by accident: a file whose name is
already in the library is refused unless the user ticks "Thay thế tài liệu hiện có?". A confirmed
replacement keeps the old file aside until the new version is committed, and puts it back when the
new one cannot be indexed (the store keeps the old version in that case anyway).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings
from core.errors import FileTooLarge, IngestError, UnsupportedFileType

if TYPE_CHECKING:
    from nghiquyet.engine import Engine
    from nghiquyet.indexing import IngestProgress, IngestReport

UPLOADS_DIR_NAME = "documents"
UPLOAD_SUFFIXES = (".pdf", ".txt", ".docx", ".doc", ".odt", ".rtf", ".html", ".htm")
_MAX_NAME_CHARS = 150
_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)


def uploads_dir(settings: Settings) -> Path:
    """Where uploaded documents are kept: beside the index they belong to."""
    return settings.store_dir / UPLOADS_DIR_NAME


def safe_filename(name: str) -> str:
    """A plain file name from whatever the browser sent: no directories, no control characters.

    Vietnamese letters stay (the name is the document's identity and is shown to readers).
    """
    base = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem)[:_MAX_NAME_CHARS].strip(" ._") or "tai-lieu"
    suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, size_bytes: int, settings: Settings) -> None:
    """Refuse a file type the ingester cannot read, or a file over the upload limit."""
    suffix = Path(safe_filename(name)).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UnsupportedFileType(
            f"Không nhận tệp {name}: định dạng {suffix or '(không có đuôi)'} không được hỗ trợ.",
            "Chỉ nhận tệp .pdf, .txt, .docx, .doc, .odt, .rtf, .html.",
        )
    limit = settings.upload_max_mb * 1024 * 1024
    if size_bytes > limit:
        raise FileTooLarge(
            f"Tệp {name} quá lớn ({_mb(size_bytes)} MB; giới hạn {_mb_limit(settings)} MB).",
            "Hãy tách tài liệu thành các tệp nhỏ hơn hoặc nạp bằng lệnh `nghiquyet ingest`.",
        )
    if size_bytes == 0:
        raise IngestError(f"Tệp {name} rỗng (0 byte).")


def _mb(size_bytes: int) -> str:
    return f"{size_bytes / 1024 / 1024:.1f}".replace(".", ",")


def _mb_limit(settings: Settings) -> str:
    return f"{settings.upload_max_mb:g}".replace(".", ",")


def upload_limit_text(settings: Settings) -> str:
    """"tối đa 50 MB mỗi tệp" — stated next to the upload box."""
    return f"tối đa {_mb_limit(settings)} MB mỗi tệp"


class UploadExists(IngestError):
    """An upload has the name of a document already in the library and replacing it was not confirmed."""


REPLACE_QUESTION = "Thay thế tài liệu hiện có?"


def existing_uploads(settings: Settings, names: Sequence[str]) -> list[str]:
    """The uploads (by the name they would be saved under) that would replace a file already in the library."""
    folder = uploads_dir(settings)
    return [safe_filename(n) for n in names if (folder / safe_filename(n)).is_file()]


def _backup_path(target: Path) -> Path:
    return target.with_name(f".previous-{target.name}")


def save_upload(name: str, data: bytes, settings: Settings, *, replace: bool = False) -> Path:
    """Write an accepted upload into the uploads folder (atomically: no half-written file remains).

    A file of that name already there is refused unless `replace`; then it is kept aside
    (`.previous-<name>`) until `finish_replacement` says whether the new version was indexed.
    """
    check_upload(name, len(data), settings)
    folder = uploads_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_filename(name)
    if target.is_file() and not replace:
        raise UploadExists(
            f"Thư viện đã có tài liệu «{target.name}»; tệp tải lên chưa được nạp.",
            f"Muốn thay bản cũ thì đánh dấu «{REPLACE_QUESTION}» rồi nạp lại; "
            "muốn giữ cả hai thì đổi tên tệp trước khi tải lên.",
        )
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if target.is_file():
            os.replace(target, _backup_path(target))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise IngestError(f"Không lưu được tệp {name} vào {folder}: {exc.strerror or exc}.") from exc
    return target


def finish_replacement(target: Path, indexed: bool) -> None:
    """Drop the old file of a replaced upload once the new one is indexed; otherwise put it back."""
    backup = _backup_path(target)
    if not backup.is_file():
        return
    if indexed:
        backup.unlink()
    else:
        os.replace(backup, target)


@dataclass(frozen=True)
class UploadOutcome:
    """Files refused before ingestion (with the reason) and the ingest report of the others."""

    refused: tuple[tuple[str, str], ...]
    report: "IngestReport | None"


def ingest_uploads(
    engine: "Engine",
    uploads: Sequence[tuple[str, bytes]],
    *,
    replace: bool = False,
    progress: Callable[["IngestProgress"], None] | None = None,
) -> UploadOutcome:
    """Save the acceptable uploads and ingest them; refused files are reported, not raised.

    Uploads named like a file already in the library are refused unless `replace` (the user's
    explicit answer to "Thay thế tài liệu hiện có?").
    """
    refused: list[tuple[str, str]] = []
    saved: list[Path] = []
    for name, data in uploads:
        try:
            saved.append(save_upload(name, data, engine.settings, replace=replace))
        except IngestError as exc:
            refused.append((name, exc.user_message()))
    report = None
    try:
        report = engine.ingest(saved, progress=progress) if saved else None
    finally:
        indexed = {Path(r.path).resolve() for r in report.results if r.indexed} if report else set()
        for path in saved:
            finish_replacement(path, path.resolve() in indexed)
    return UploadOutcome(tuple(refused), report)


def source_files(
    settings: Settings, sources: Sequence[str], origins: dict[str, str | None] | None = None
) -> tuple[dict[str, Path], list[str]]:
    """The file behind each indexed source (uploads folder, then the bundled corpus) and those not found."""
    found: dict[str, Path] = {}
    missing: list[str] = []
    folders = [uploads_dir(settings), settings.corpus_dir]
    for source in sources:
        path = next((folder / source for folder in folders if (folder / source).is_file()), None)
        recorded = origins.get(source) if origins else None
        if recorded and Path(recorded).is_file():
            path = Path(recorded)  # the very file it was ingested from
        if path is None:
            missing.append(source)
        else:
            found[source] = path
    return found, missing


def reindex_all(
    engine: "Engine",
    *,
    progress: Callable[["IngestProgress"], None] | None = None,
) -> tuple["IngestReport", list[str]]:
    """Re-ingest every indexed document from its file; returns the report and the sources without a file.

    When every file is found the index is rebuilt from scratch; otherwise documents are re-ingested
    in place, so a document whose file is gone (ingested from elsewhere by the CLI) is kept.
    """
    documents = engine.documents()
    sources = [d.meta.source for d in documents]
    found, missing = source_files(engine.settings, sources, {d.meta.source: d.origin for d in documents})
    if not found:
        raise IngestError(
            "Không tìm thấy tệp gốc của tài liệu nào để lập chỉ mục lại.",
            f"Tệp gốc được tìm trong {uploads_dir(engine.settings)} và {engine.settings.corpus_dir}.",
        )
    report = engine.ingest(list(found.values()), rebuild=not missing, progress=progress)
    return report, missing


def delete_document(engine: "Engine", source: str) -> int:
    """Remove a document's chunks from the index and its uploaded copy; returns the chunk count.

    Only our copy in the uploads folder is deleted (so "re-index all" does not bring it back);
    a file elsewhere, such as the bundled corpus, is never touched.
    """
    origin = next((d.origin for d in engine.documents() if d.meta.source == source), None)
    removed = engine.delete_document(source)
    copy = Path(origin) if origin else uploads_dir(engine.settings) / source
    if copy.is_file() and copy.resolve().parent == uploads_dir(engine.settings).resolve():
        copy.unlink()
    return removed
