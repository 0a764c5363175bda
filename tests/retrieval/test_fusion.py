from __future__ import annotations

import pytest

from retrieval.fusion import RRF_K, reciprocal_rank_fusion, weighted_fusion


def test_rrf_sums_reciprocal_ranks_with_k_60() -> None:
    fused = reciprocal_rank_fusion({"lexical": ["a", "b", "c"], "dense": ["b", "d"]})
    assert RRF_K == 60
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert max(fused, key=fused.__getitem__) == "b"  # found by both lists beats first of one


def test_rrf_weights_scale_each_list() -> None:
    fused = reciprocal_rank_fusion({"lexical": ["a"], "dense": ["b"]}, weights={"lexical": 2.0, "dense": 1.0})
    assert fused["a"] == pytest.approx(2 * fused["b"])


def test_weighted_fusion_normalises_each_list_to_0_1() -> None:
    fused = weighted_fusion(
        {"lexical": [("a", 30.0), ("b", 10.0)], "dense": [("b", 0.9), ("c", 0.5)]},
        {"lexical": 0.5, "dense": 0.5},
    )
    assert fused == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.0})


def test_fusion_of_nothing_is_empty() -> None:
    assert reciprocal_rank_fusion({"lexical": [], "dense": []}) == {}
    assert weighted_fusion({"lexical": []}, {"lexical": 1.0}) == {}
