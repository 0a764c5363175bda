"""What changed between a previous evaluation report and this one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nghiquyet.evaluation.metrics import Metrics
from nghiquyet.evaluation.runner import EvalReport

COMPARED = Metrics.RATE_NAMES + ("latency_p50_ms", "latency_p95_ms")


@dataclass(frozen=True)
class MetricDelta:
    metric: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class BaselineDiff:
    newly_failing: tuple[str, ...]      # passed in the baseline, fail now
    newly_passing: tuple[str, ...]      # failed in the baseline, pass now
    added: tuple[str, ...]              # not in the baseline
    removed: tuple[str, ...]            # in the baseline only
    overall: tuple[MetricDelta, ...]
    by_kind: Mapping[str, tuple[MetricDelta, ...]]
    baseline_created_at: str | None = None

    def as_dict(self) -> dict[str, object]:
        def deltas(items: tuple[MetricDelta, ...]) -> dict[str, object]:
            return {d.metric: {"before": d.before, "after": d.after, "delta": d.delta} for d in items}

        return {
            "baseline_created_at": self.baseline_created_at,
            "newly_failing": list(self.newly_failing),
            "newly_passing": list(self.newly_passing),
            "added": list(self.added),
            "removed": list(self.removed),
            "overall": deltas(self.overall),
            "by_kind": {k: deltas(v) for k, v in self.by_kind.items()},
        }


def _deltas(before: Mapping[str, Any] | None, after: Metrics) -> tuple[MetricDelta, ...]:
    before = before or {}
    # The baseline holds values rounded to 4 places (report JSON); round ours alike so an unchanged
    # metric shows a delta of exactly 0.
    return tuple(MetricDelta(name, _num(before.get(name)), _rounded(after.value(name))) for name in COMPARED)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def diff_reports(baseline: Mapping[str, Any], current: EvalReport) -> BaselineDiff:
    """Compare a baseline report (its JSON) with the current run, question by question and metric by metric."""
    before = {r["id"]: bool(r.get("passed")) for r in baseline.get("results", []) if isinstance(r, dict) and "id" in r}
    now = {r.id: r.passed for r in current.results}
    order = [r.id for r in current.results]
    by_kind_before = baseline.get("by_kind") or {}
    return BaselineDiff(
        newly_failing=tuple(i for i in order if i in before and before[i] and not now[i]),
        newly_passing=tuple(i for i in order if i in before and not before[i] and now[i]),
        added=tuple(i for i in order if i not in before),
        removed=tuple(i for i in before if i not in now),
        overall=_deltas(baseline.get("overall"), current.overall),
        by_kind={k: _deltas(by_kind_before.get(k), m) for k, m in current.by_kind.items()},
        baseline_created_at=baseline.get("created_at"),
    )
