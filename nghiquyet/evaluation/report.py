"""The evaluation report as readable terminal tables (rich).

Document text and answers are passed to rich as `Text`, never as markup: a passage containing
"[bold]" or "[/]" must print as those characters.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from nghiquyet.evaluation.baseline import BaselineDiff, MetricDelta
from nghiquyet.evaluation.labels import KIND_LABELS, METRIC_LABELS, format_ms, format_rate, kind_label
from nghiquyet.evaluation.metrics import Metrics, QuestionResult
from nghiquyet.evaluation.runner import EvalReport

_SNIPPET_CHARS = 300


def _snippet(text: str, limit: int = _SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def overall_table(report: EvalReport) -> Table:
    m = report.overall
    table = Table(title=f"Kết quả chung — {m.count} câu hỏi, {m.passed} đạt", title_justify="left")
    table.add_column("Chỉ số")
    table.add_column("Giá trị", justify="right")
    table.add_column("Ngưỡng", justify="right")
    table.add_column("", justify="center")
    breached = {b.metric for b in report.breaches}
    for name in Metrics.RATE_NAMES:
        threshold = report.thresholds.get(name)
        status = Text("")
        if threshold is not None:
            status = Text("✗ dưới ngưỡng", style="bold red") if name in breached else Text("✓", style="green")
        table.add_row(
            METRIC_LABELS[name],
            format_rate(m.value(name)),
            "" if threshold is None else format_rate(threshold),
            status,
        )
    table.add_row(METRIC_LABELS["latency_p50_ms"], format_ms(m.latency_p50_ms), "", Text(""))
    table.add_row(METRIC_LABELS["latency_p95_ms"], format_ms(m.latency_p95_ms), "", Text(""))
    return table


def kind_table(report: EvalReport) -> Table:
    """Compact enough for an 80-column terminal; the Vietnamese kind names are in the caption."""
    table = Table(
        title="Theo loại câu hỏi",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1, 0, 0),
        caption=_kind_legend(report),
        caption_justify="left",
    )
    table.add_column("Loại", no_wrap=True)
    for header in ("Số", "Đạt", "@1", "@5", "MRR", "Đúng", "T.chối", "Nguồn", "p50", "p95"):
        table.add_column(header, justify="right", no_wrap=True)
    for kind, m in report.by_kind.items():
        table.add_row(
            kind,
            str(m.count),
            str(m.passed),
            format_rate(m.hit_at_1),
            format_rate(m.hit_at_5),
            format_rate(m.mrr),
            format_rate(m.answer_accuracy),
            format_rate(m.refusal_accuracy),
            format_rate(m.grounded_number_rate),
            format_ms(m.latency_p50_ms),
            format_ms(m.latency_p95_ms),
        )
    return table


def _kind_legend(report: EvalReport) -> str:
    names = "; ".join(f"{k} = {KIND_LABELS[k]}" for k in report.by_kind if k in KIND_LABELS)
    return (
        "@1/@5 = hit@1/hit@5, Đúng = câu trả lời đúng, T.chối = quyết định từ chối đúng, "
        "Nguồn = số liệu có trong trích dẫn, p50/p95 = độ trễ (ms). " + names
    )


def failure_block(result: QuestionResult) -> Group:
    """One failed question: why, what was answered, and the passage ranked first."""
    head = Text()
    head.append("✗ ", style="bold red")
    head.append(result.id, style="bold")
    head.append(f"  [{kind_label(result.kind)}]  ", style="dim")
    head.append(result.question)
    lines: list[Text] = [head]
    for reason in result.reasons():
        lines.append(Text("  • " + reason, style="red"))
    if result.expected:
        lines.append(Text("  Mong đợi: " + " | ".join(result.expected), style="cyan"))
    answer = Text("  Trả lời: ", style="bold")
    answer.append(_snippet(result.answer) if result.answer else "(không có)", style="")
    if result.refused:
        answer.append("  (từ chối)", style="yellow")
    lines.append(answer)
    top = result.top_passage
    if top:
        where = " > ".join(str(h) for h in top.get("heading_path") or []) or str(top.get("location", ""))
        passage = Text(f"  Đoạn hạng 1: {top.get('source')} · {where}\n    ", style="dim")
        passage.append(_snippet(str(top.get("text", ""))), style="")
        lines.append(passage)
    else:
        lines.append(Text("  Đoạn hạng 1: (không có đoạn nào)", style="dim"))
    return Group(*lines)


def failures_section(report: EvalReport, limit: int | None = None) -> Group | None:
    failures = report.failures
    if not failures:
        return None
    shown = failures if limit is None else failures[:limit]
    blocks: list[object] = [Text(f"Câu không đạt ({len(failures)}):", style="bold")]
    for result in shown:
        blocks.append(Padding(failure_block(result), (0, 0, 1, 0)))
    if len(shown) < len(failures):
        blocks.append(Text(f"… và {len(failures) - len(shown)} câu nữa (xem báo cáo JSON/HTML).", style="dim"))
    return Group(*blocks)  # type: ignore[arg-type]


def _delta_text(d: MetricDelta) -> Text:
    if d.delta is None:
        return Text("—")
    is_latency = d.metric.startswith("latency")
    better = d.delta < 0 if is_latency else d.delta > 0
    if abs(d.delta) < 1e-9:
        return Text("0", style="dim")
    shown = f"{d.delta:+.0f}" if is_latency else f"{d.delta:+.3f}"
    return Text(shown, style="green" if better else "red")


def baseline_section(diff: BaselineDiff) -> Group:
    parts: list[object] = []
    title = "So với báo cáo gốc" + (f" ({diff.baseline_created_at})" if diff.baseline_created_at else "")
    parts.append(Text(title, style="bold"))
    parts.append(
        Text(
            "Mới hỏng: " + (", ".join(diff.newly_failing) if diff.newly_failing else "không có"),
            style="bold red" if diff.newly_failing else "green",
        )
    )
    parts.append(
        Text(
            "Mới đạt: " + (", ".join(diff.newly_passing) if diff.newly_passing else "không có"),
            style="green" if diff.newly_passing else "dim",
        )
    )
    if diff.added:
        parts.append(Text("Câu mới (không có trong báo cáo gốc): " + ", ".join(diff.added), style="dim"))
    if diff.removed:
        parts.append(Text("Câu đã bỏ: " + ", ".join(diff.removed), style="dim"))
    table = Table(title="Thay đổi chỉ số", title_justify="left")
    table.add_column("Chỉ số")
    table.add_column("Trước", justify="right")
    table.add_column("Sau", justify="right")
    table.add_column("Chênh", justify="right")
    for d in diff.overall:
        fmt = format_ms if d.metric.startswith("latency") else format_rate
        table.add_row(METRIC_LABELS[d.metric], fmt(d.before), fmt(d.after), _delta_text(d))
    parts.append(table)
    return Group(*parts)  # type: ignore[arg-type]


def verdict(report: EvalReport) -> Text:
    if report.ok:
        return Text("✓ Mọi chỉ số đạt ngưỡng.", style="bold green")
    text = Text()
    for breach in report.breaches:
        text.append(
            f"✗ {METRIC_LABELS.get(breach.metric, breach.metric)}: {format_rate(breach.value)} < {format_rate(breach.threshold)}",
            style="bold red",
        )
        if breach.failing:
            text.append("\n    câu hỏi: " + ", ".join(breach.failing))
        text.append("\n")
    return text


def render(
    report: EvalReport,
    console: Console,
    *,
    diff: BaselineDiff | None = None,
    failure_limit: int | None = None,
) -> None:
    """Print the whole report: tables, failures, baseline diff, then the verdict last."""
    console.print(overall_table(report))
    console.print(kind_table(report))
    failures = failures_section(report, failure_limit)
    if failures is not None:
        console.print(failures)
    if diff is not None:
        console.print(baseline_section(diff))
    console.print(verdict(report))

