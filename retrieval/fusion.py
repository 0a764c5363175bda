"""Combining ranked lists from several retrievers into one ranking (pure functions)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

RRF_K = 60  # as in Cormack, Clarke & Büttcher (2009), "Reciprocal rank fusion outperforms Condorcet..."


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[K]],
    *,
    k: int = RRF_K,
    weights: Mapping[str, float] | None = None,
) -> dict[K, float]:
    """score(d) = Σ_lists w / (k + rank(d)), rank 1-based; lists are best first. Higher is better."""
    if k < 0:
        raise ValueError(f"k must not be negative, got {k}")
    fused: dict[K, float] = {}
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return fused


def weighted_fusion(
    scored: Mapping[str, Sequence[tuple[K, float]]],
    weights: Mapping[str, float],
) -> dict[K, float]:
    """Σ_lists w · min-max-normalised score; a list's missing items count 0. Higher is better."""
    fused: dict[K, float] = {}
    for name, items in scored.items():
        weight = weights.get(name, 0.0)
        if not items or weight == 0:
            continue
        values = [s for _, s in items]
        low, high = min(values), max(values)
        span = high - low
        for key, score in items:
            norm = (score - low) / span if span > 0 else 1.0
            fused[key] = fused.get(key, 0.0) + weight * norm
    for name, items in scored.items():
        for key, _ in items:
            fused.setdefault(key, 0.0)
    return fused
