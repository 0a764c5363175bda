"""What the sidebar filter leaves out of a question, so an answer never says "not found" for it.

With the filter Tỉnh = Trà Vinh, a question about Kiên Giang would be searched in Trà Vinh's
documents only, and the answer would state that Kiên Giang's documents say nothing: false when
Kiên Giang is indexed. The app asks this module first and, for such a question, says that the
filter excludes the province and offers to search without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ingest.models import DocumentMeta
from retrieval.models import Filters


def passes(meta: DocumentMeta, filters: Filters) -> bool:
    """Whether a document can answer under `filters` (as the retriever's hard filters select it)."""
    if filters.sources and meta.source not in filters.sources:
        return False
    if filters.provinces and meta.province not in filters.provinces:
        return False
    return not (filters.years and not set(filters.years) & set(meta.years))


def provinces_outside(asked: Iterable[str], filters: Filters, docs: Sequence[DocumentMeta]) -> tuple[str, ...]:
    """Provinces the question names that are indexed but that no document under the filter covers."""
    if filters.empty:
        return ()
    indexed = {d.province for d in docs if d.province}
    allowed = {d.province for d in docs if d.province and passes(d, filters)}
    return tuple(p for p in dict.fromkeys(asked) if p in indexed and p not in allowed)
