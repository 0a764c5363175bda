"""Whether a store is consistent and searchable: what `nghiquyet doctor` asks the store itself.

Damage (a manifest whose chunk counts do not match the records, a vector index that cannot find a
stored vector again) is a problem; records an interrupted ingest left behind are not — readers never
see them and the next ingest removes them — so they are counted separately, as a notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.errors import StoreError

if TYPE_CHECKING:
    from vectorstore.store import ChunkStore, _Commit


def problems(store: "ChunkStore") -> list[str]:
    """Problems found (in Vietnamese); empty when the store is consistent and searchable."""
    found: list[str] = []
    try:
        store.check_embedder()
    except StoreError as exc:
        found.append(exc.message)
    names = set(store.collection_names())
    for name in (store.name, store.manifest_name):
        if name not in names:
            found.append(f"Thiếu collection '{name}' trong kho tại {store.where}.")
    commits = store.commits()
    counts = store.records_per_version()
    for source, commit in sorted(commits.items()):
        have = counts.get((source, commit.version), 0)
        if have != commit.chunk_count:
            found.append(
                f"Tài liệu {source}: sổ ghi {commit.chunk_count} đoạn nhưng kho chỉ có {have}; "
                "nạp lại tệp này để sửa."
            )
    found.extend(_search_probe(store, commits))
    return found


def leftover_records(store: "ChunkStore") -> int:
    """Records no committed version owns: what an interrupted ingest left. Invisible to readers and
    removed by the next ingest, so they are a notice, not damage."""
    versions = {source: commit.version for source, commit in store.commits().items()}
    return sum(n for (source, version), n in store.records_per_version().items() if versions.get(source) != version)


def _search_probe(store: "ChunkStore", commits: dict[str, "_Commit"]) -> list[str]:
    """Search with a few stored vectors: each must find itself (catches a damaged vector index)."""
    found: list[str] = []
    for source, commit in sorted(commits.items())[:3]:
        probe = store.stored_vector(source, commit.version)
        if probe is None:
            continue
        rid, vector = probe
        ids, distances = store.nearest_records(vector, 5)
        # Identical passages have identical vectors, and which of them comes first is arbitrary:
        # the record counts as found when it, or a record at distance ~0 (its twin), comes back.
        if rid not in ids and not (distances and float(distances[0]) <= 1e-4):
            found.append(f"Tìm kiếm vector không thấy lại đoạn đã lưu của {source}: chỉ mục vector có thể hỏng.")
    return found
