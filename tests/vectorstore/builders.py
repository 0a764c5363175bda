"""Documents built by hand from corpus sentences, so store tests do not depend on the chunker."""

from __future__ import annotations

import hashlib

from ingest.models import Chunk, DocumentMeta
from tests.conftest import CORPUS, HashEmbedder
from vectorstore.store import ChunkStore


def paragraphs(name: str, limit: int | None = None) -> list[str]:
    """Non-empty lines of a bundled corpus file, as written."""
    lines = [ln.strip() for ln in (CORPUS / name).read_text(encoding="utf-8").splitlines()]
    found = [ln for ln in lines if len(ln) > 40]
    return found[:limit] if limit else found


def make_document(
    source: str,
    texts: list[str],
    *,
    province: str | None = "Trà Vinh",
    years: tuple[int, ...] = (2020, 2021),
    salt: str = "",
) -> tuple[DocumentMeta, list[Chunk]]:
    """A DocumentMeta and one chunk per text, with every Chunk field exercised."""
    content_hash = hashlib.sha256(("\n".join(texts) + salt).encode()).hexdigest()
    meta = DocumentMeta(
        source=source,
        title=f"Tài liệu {source}",
        province=province,
        years=years,
        plan_years=years[-1:],
        report_years=years[:-1],
        doc_type="tài liệu tuyên truyền",
        number="27-NQ/TU",
        issue_date="2020-12-15",
        signer=None,
        content_hash=content_hash,
    )
    kinds = ("paragraph", "indicator", "list_item", "table_row", "heading")
    chunks = []
    offset = 0
    for seq, text in enumerate(texts):
        chunks.append(
            Chunk(
                text=text,
                source=source,
                heading_path=("B. CÁC CHỈ TIÊU CHỦ YẾU NĂM 2021", f"{seq % 3 + 1}. Mục {seq % 3 + 1}"),
                page=(seq // 4 + 1) if seq % 2 else None,
                kind=kinds[seq % len(kinds)],  # type: ignore[arg-type]
                seq=seq,
                doc=meta,
                start=offset,
                end=offset + len(text),
                context="Chỉ tiêu — Nghị quyết năm 2019 · Thực hiện năm 2019" if seq % 5 == 3 else "",
                extra=(("row", str(seq)),) if seq % 4 == 0 else (),
            )
        )
        offset += len(text) + 1
    return meta, chunks


def add(store: ChunkStore, embedder: HashEmbedder, meta: DocumentMeta, chunks: list[Chunk]) -> None:
    store.add_document(meta, chunks, embedder.embed_passages([c.index_text for c in chunks]))
