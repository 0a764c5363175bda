"""Chunks and documents as Chroma records: metadata, ids, versions and `where` filters.

One conversion between a `Chunk` and what is stored for it, used by the store and by the lexical
index's saved copy, so the two can never disagree on a field. A chunk record's metadata holds the
document's filterable scalars (province, `y2021: True` flags, ...) plus the chunk's own fields and
the document's fields as JSON; `document_version` digests everything stored for a document.

Layout: two collections
    `<name>`            one record per chunk *version*: id `<chunk.id>-<version[:16]>`, document =
                        the chunk text as written, metadata = the document's scalar metadata
                        (province, `y2021: True` flags, ...) + the chunk's fields + `version`.
    `<name>_documents`  the manifest: one record per *committed* document, id = source,
                        document = its committed version, metadata = DocumentMeta + chunk count
                        + the absolute path of the file it was read from (`origin`).
    A document's `version` is a digest of everything stored for it (embedder, metadata, every
    chunk's text and fields), so an unchanged file has an unchanged version and is skipped, and a
    changed chunker or sidecar produces a new version even when the file's bytes did not change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from ingest.models import Chunk, DocumentMeta

SCHEMA_VERSION = 1

def as_tuples(value: Any) -> Any:
    """JSON arrays back to the tuples the frozen dataclasses hold."""
    if isinstance(value, list):
        return tuple(as_tuples(v) for v in value)
    return value


@lru_cache(maxsize=256)  # every chunk of a document carries the same (frozen, hashable) DocumentMeta
def meta_json(meta: DocumentMeta) -> str:
    return json.dumps(dataclasses.asdict(meta), ensure_ascii=False, sort_keys=True)


def meta_from_json(text: str) -> DocumentMeta:
    return meta_from_dict(json.loads(text))


def meta_from_dict(data: dict[str, Any]) -> DocumentMeta:
    """Fields a newer version wrote and this one does not know are left out."""
    known = {f.name for f in dataclasses.fields(DocumentMeta)}
    return DocumentMeta(**{k: as_tuples(v) for k, v in data.items() if k in known})


CHUNK_OWN_FIELDS = tuple(f.name for f in dataclasses.fields(Chunk) if f.name not in ("text", "source", "doc"))


def chunk_fields(chunk: Chunk) -> dict[str, Any]:
    """A chunk's own fields (not its text, source or document)."""
    return {name: getattr(chunk, name) for name in CHUNK_OWN_FIELDS}


def chunk_json(chunk: Chunk) -> str:
    return json.dumps(chunk_fields(chunk), ensure_ascii=False, sort_keys=True)


def chunk_from_fields(text: str, source: str, fields: dict[str, Any], meta: DocumentMeta) -> Chunk:
    """The inverse of `chunk_fields`; fields a newer version wrote and this one does not know are left out."""
    return Chunk(text=text, source=source, doc=meta, **{k: as_tuples(v) for k, v in fields.items() if k in CHUNK_FIELDS})


def chunk_metadata(chunk: Chunk, version: str, written_at: float) -> dict[str, str | int | float | bool]:
    """Chroma metadata of a chunk record: filterable scalars plus the exact fields as JSON."""
    md = chunk.doc.as_metadata()
    md.update(
        chunk_id=chunk.id,
        version=version,
        written_at=written_at,
        kind=chunk.kind,
        seq=chunk.seq,
        heading=" > ".join(chunk.heading_path),
        chunk_json=chunk_json(chunk),
        doc_json=meta_json(chunk.doc),
    )
    if chunk.page is not None:
        md["page"] = chunk.page
    return md


CHUNK_FIELDS = frozenset(f.name for f in dataclasses.fields(Chunk))


def chunk_from_record(text: str, md: dict[str, Any], metas: dict[str, DocumentMeta]) -> Chunk:
    doc_json = str(md["doc_json"])
    meta = metas.get(doc_json)
    if meta is None:
        meta = metas[doc_json] = meta_from_json(doc_json)
    return chunk_from_fields(text, str(md["source"]), json.loads(str(md["chunk_json"])), meta)


def document_version(meta: DocumentMeta, chunks: Sequence[Chunk], embedder_name: str) -> str:
    """Digest of everything stored for a document: equal versions mean nothing to write."""
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA_VERSION}\x1e{embedder_name}\x1e{meta_json(meta)}".encode())
    for chunk in chunks:
        h.update(f"\x1e{chunk.id}\x1f{chunk.text}\x1f{chunk_json(chunk)}\x1f{meta_json(chunk.doc)}".encode())
    return h.hexdigest()


def record_id(chunk_id: str, version: str) -> str:
    return f"{chunk_id}-{version[:16]}"


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


def and_where(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}
