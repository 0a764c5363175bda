"""One file in, one prepared document out: load → repair → metadata (+ sidecar) → chunks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.chunking import chunk_document, join_pages
from ingest.loaders import load_document
from ingest.metadata import detect_metadata
from ingest.models import Chunk, DocumentMeta
from ingest.periods import assign_periods
from ingest.repair import repair_pages
from ingest.sidecar import apply_sidecar, find_sidecar, is_sidecar, load_sidecar
from core.config import Settings
from core.errors import EmptyDocument, UnsupportedFileType

if TYPE_CHECKING:
    from ingest.pdf import PageProgress


@dataclass(frozen=True)
class PreparedDocument:
    """A document ready for the store. `text` is the repaired text the chunks' offsets point into."""

    meta: DocumentMeta
    chunks: tuple[Chunk, ...]
    text: str
    warnings: tuple[str, ...]


def prepare_document(path: Path, settings: Settings, on_page: PageProgress | None = None) -> PreparedDocument:
    """Read, repair, describe and chunk one file; raises IngestError subclasses with Vietnamese messages.

    `on_page(done, total)`: progress of a scanned PDF's recognition, page by page."""
    path = Path(path)
    if is_sidecar(path):
        raise UnsupportedFileType(
            f"“{path.name}” là tệp siêu dữ liệu đi kèm tài liệu, không phải tài liệu.",
            hint="Hãy nạp tệp tài liệu nằm cạnh nó; siêu dữ liệu sẽ được áp dụng tự động.",
        )
    content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    loaded = load_document(path, settings, on_page)
    pages = repair_pages(list(loaded.pages))
    text, _ = join_pages(pages)
    if not text.strip():
        raise EmptyDocument(
            f"Tệp “{path.name}” không có nội dung văn bản sau khi làm sạch.",
            hint="Nếu là bản PDF quét (ảnh), hãy nhận dạng chữ (OCR) trước khi nạp.",
        )
    meta = detect_metadata(text, source=path.name, content_hash=content_hash)
    if loaded.ocr_pages:
        meta = replace(meta, ocr_pages=loaded.ocr_pages)  # citations from these pages say so
    # Encoding conversions (TCVN3, VNI) and pages that need OCR are worth telling the user.
    warnings: list[str] = list(loaded.notes)
    sidecar = find_sidecar(path)
    if sidecar is not None:
        overrides = load_sidecar(sidecar)
        meta = apply_sidecar(meta, overrides)
        if overrides:
            warnings.append(f"Đã áp dụng siêu dữ liệu từ “{sidecar.name}” ({', '.join(sorted(overrides))}).")
    chunks = assign_periods(chunk_document(pages, meta, settings.max_chunk_chars))
    if not meta.years:
        # No title or heading says which years the document is about: its passages' periods do.
        derived = tuple(sorted({y for chunk in chunks for y in chunk.period_years}))
        if derived:
            meta = replace(meta, years=derived)
            chunks = [replace(chunk, doc=meta) for chunk in chunks]
    warnings.extend(_missing(meta))
    if not chunks:
        raise EmptyDocument(
            f"Tệp “{path.name}” không có đoạn văn bản nào để lập chỉ mục.",
            hint="Hãy kiểm tra lại nội dung tệp.",
        )
    return PreparedDocument(meta=meta, chunks=tuple(chunks), text=text, warnings=tuple(warnings))


def _missing(meta: DocumentMeta) -> list[str]:
    """Say what could not be detected, so a user can add a sidecar instead of trusting a guess."""
    missing = []
    if meta.province is None:
        missing.append("tỉnh/thành phố")
    if not meta.years:
        missing.append("năm")
    if meta.doc_type is None:
        missing.append("loại văn bản")
    if not missing:
        return []
    return [
        f"Không xác định được {', '.join(missing)} của tài liệu; có thể khai báo trong tệp "
        f"“<tên tệp>.meta.json” đặt cạnh tài liệu."
    ]
