"""Chunks built by hand from corpus sentences, so retrieval tests do not depend on the chunker."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ingest.models import Chunk, DocumentMeta


def make_meta(
    source: str,
    *,
    province: str | None,
    years: tuple[int, ...] = (2020,),
    plan_years: tuple[int, ...] = (),
    report_years: tuple[int, ...] = (),
    title: str | None = None,
    salt: str = "",
) -> DocumentMeta:
    return DocumentMeta(
        source=source,
        title=title or f"Nghị quyết {source}",
        province=province,
        years=years,
        plan_years=plan_years,
        report_years=report_years,
        doc_type="nghị quyết",
        content_hash=hashlib.sha256(f"{source}{salt}".encode()).hexdigest(),
    )


def make_chunks(meta: DocumentMeta, items: Sequence[tuple[tuple[str, ...], str]]) -> list[Chunk]:
    """One chunk per (heading path, text), in order."""
    return [
        Chunk(text=text, source=meta.source, heading_path=heading, page=None, kind="paragraph", seq=seq, doc=meta)
        for seq, (heading, text) in enumerate(items)
    ]
