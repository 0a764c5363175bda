"""The evaluation report as one self-contained HTML file: tables, an inline SVG chart, the failures.

No scripts, no external resources. Every piece of text that came from a document, an answer or the
question file goes through `html.escape`, so a `<script>` in a passage shows as characters.
"""

from __future__ import annotations

from html import escape

from nghiquyet.evaluation.baseline import BaselineDiff
from nghiquyet.evaluation.labels import METRIC_LABELS, format_ms, format_rate, kind_label
from nghiquyet.evaluation.metrics import Metrics, QuestionResult
from nghiquyet.evaluation.runner import EvalReport

CHART_METRICS: tuple[tuple[str, str, str], ...] = (
    ("hit_at_1", "hit@1", "#4e79a7"),
    ("hit_at_5", "hit@5", "#a0cbe8"),
    ("answer_accuracy", "Trả lời đúng", "#59a14f"),
    ("refusal_accuracy", "Từ chối đúng", "#f28e2b"),
    ("grounded_number_rate", "Số có nguồn", "#b07aa1"),
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:2rem auto;max-width:1200px;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f5f5f5}
.ok{color:#2a7d2a;font-weight:600}.bad{color:#b00020;font-weight:600}.dim{color:#666}
.failure{border:1px solid #eee;border-left:4px solid #b00020;padding:.5rem .8rem;margin:.8rem 0;background:#fffafa}
.failure .q{font-weight:600}.passage{white-space:pre-wrap;background:#f7f7f7;padding:.4rem;border-radius:4px}
.ids{font-weight:normal;font-size:.95rem}.verdict{font-size:1.1rem;padding:.6rem;border-radius:4px}.verdict.ok{background:#eef8ee}.verdict.bad{background:#fdecee}
code{background:#f2f2f2;padding:0 .2rem}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def overall_table_html(report: EvalReport) -> str:
    breached = {b.metric for b in report.breaches}
    rows = []
    for name in Metrics.RATE_NAMES:
        threshold = report.thresholds.get(name)
        status = ""
        if threshold is not None:
            status = '<span class="bad">✗ dưới ngưỡng</span>' if name in breached else '<span class="ok">✓</span>'
        rows.append(
            f"<tr><td>{_e(METRIC_LABELS[name])}</td><td>{format_rate(report.overall.value(name))}</td>"
            f"<td>{'' if threshold is None else format_rate(threshold)}</td><td>{status}</td></tr>"
        )
    for name in ("latency_p50_ms", "latency_p95_ms"):
        rows.append(
            f"<tr><td>{_e(METRIC_LABELS[name])}</td><td>{format_ms(report.overall.value(name))}</td><td></td><td></td></tr>"
        )
    return (
        "<table><thead><tr><th>Chỉ số</th><th>Giá trị</th><th>Ngưỡng</th><th></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def kind_table_html(report: EvalReport) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Loại", "Số câu", "Đạt", "hit@1", "hit@5", "MRR", "Trả lời đúng", "Từ chối đúng", "Số có nguồn", "p50 ms", "p95 ms")
    )
    rows = []
    for kind, m in report.by_kind.items():
        cells = [
            _e(kind_label(kind)),
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
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def bar_chart_svg(report: EvalReport) -> str:
    """Grouped bars: one group per kind, one bar per metric (0..1); a metric that does not apply is absent."""
    kinds = list(report.by_kind)
    bar_w, gap, group_gap = 12, 2, 22
    group_w = len(CHART_METRICS) * (bar_w + gap) - gap
    left, top, plot_h, label_h = 44, 16, 220, 110
    width = left + len(kinds) * (group_w + group_gap) + 10
    height = top + plot_h + label_h + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Chỉ số theo loại câu hỏi" '
        'font-family="system-ui,sans-serif" font-size="11">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{tick:.2f}</text>')
    for i, kind in enumerate(kinds):
        metrics = report.by_kind[kind]
        x0 = left + 8 + i * (group_w + group_gap)
        for j, (name, label, colour) in enumerate(CHART_METRICS):
            value = metrics.value(name)
            if value is None:
                continue
            h = plot_h * value
            x = x0 + j * (bar_w + gap)
            parts.append(
                f'<rect x="{x}" y="{top + plot_h - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{colour}">'
                f"<title>{_e(kind)} · {_e(label)}: {value:.3f}</title></rect>"
            )
        cx, cy = x0 + group_w / 2, top + plot_h + 8
        parts.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" transform="rotate(40 {cx:.1f} {cy:.1f})" fill="#333">{_e(kind)}</text>'
        )
    legend_y = height - 14
    for j, (_, label, colour) in enumerate(CHART_METRICS):
        lx = left + j * 120
        parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{legend_y}" fill="#333">{_e(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def failure_html(result: QuestionResult) -> str:
    reasons = "".join(f"<li>{_e(r)}</li>" for r in result.reasons())
    expected = f"<div>Mong đợi: <code>{' | '.join(_e(e) for e in result.expected)}</code></div>" if result.expected else ""
    refused = ' <span class="dim">(từ chối)</span>' if result.refused else ""
    top = result.top_passage
    if top:
        where = " > ".join(str(h) for h in top.get("heading_path") or []) or str(top.get("location", ""))
        passage = (
            f'<div class="dim">Đoạn hạng 1: {_e(top.get("source"))} · {_e(where)}</div>'
            f'<div class="passage">{_e(top.get("text", ""))}</div>'
        )
    else:
        passage = '<div class="dim">Đoạn hạng 1: (không có đoạn nào)</div>'
    return (
        f'<div class="failure" id="q-{_e(result.id)}"><div class="q">{_e(result.id)} '
        f'<span class="dim">[{_e(kind_label(result.kind))}]</span> — {_e(result.question)}</div>'
        f"<ul>{reasons}</ul>{expected}"
        f"<div><b>Trả lời:</b> {_e(result.answer) if result.answer else '(không có)'}{refused}</div>"
        f"{passage}</div>"
    )


def baseline_html(diff: BaselineDiff) -> str:
    def ids(values: tuple[str, ...]) -> str:
        return ", ".join(_e(v) for v in values) if values else "không có"

    rows = []
    for d in diff.overall:
        fmt = format_ms if d.metric.startswith("latency") else format_rate
        delta = "—" if d.delta is None else (f"{d.delta:+.0f}" if d.metric.startswith("latency") else f"{d.delta:+.3f}")
        rows.append(
            f"<tr><td>{_e(METRIC_LABELS[d.metric])}</td><td>{fmt(d.before)}</td><td>{fmt(d.after)}</td><td>{delta}</td></tr>"
        )
    return (
        f"<h2>So với báo cáo gốc {_e(diff.baseline_created_at or '')}</h2>"
        f'<p><span class="bad">Mới hỏng:</span> {ids(diff.newly_failing)}</p>'
        f'<p><span class="ok">Mới đạt:</span> {ids(diff.newly_passing)}</p>'
        + (f"<p class='dim'>Câu mới: {ids(diff.added)}</p>" if diff.added else "")
        + (f"<p class='dim'>Câu đã bỏ: {ids(diff.removed)}</p>" if diff.removed else "")
        + "<table><thead><tr><th>Chỉ số</th><th>Trước</th><th>Sau</th><th>Chênh</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def render_html(report: EvalReport, *, diff: BaselineDiff | None = None) -> str:
    """The full report page."""
    if report.ok:
        verdict = '<div class="verdict ok">✓ Mọi chỉ số đạt ngưỡng.</div>'
    else:
        items = "".join(
            f"<li>{_e(METRIC_LABELS.get(b.metric, b.metric))}: {format_rate(b.value)} &lt; {format_rate(b.threshold)}"
            + (f' — <span class="ids">câu hỏi: {", ".join(_e(i) for i in b.failing)}</span>' if b.failing else "")
            + "</li>"
            for b in report.breaches
        )
        verdict = f'<div class="verdict bad">✗ Có chỉ số dưới ngưỡng:<ul>{items}</ul></div>'
    failures = report.failures
    run = ", ".join(f"{_e(k)}={_e(v)}" for k, v in report.run_info.items())
    body = [
        "<h1>Báo cáo đánh giá hồi quy — nghiquyet</h1>",
        f'<p class="dim">{_e(report.created_at)} · {_e(report.questions_file or "")} · '
        f"{report.overall.count} câu hỏi, {report.overall.passed} đạt{' · ' + run if run else ''}</p>",
        verdict,
        "<h2>Kết quả chung</h2>",
        overall_table_html(report),
        "<h2>Theo loại câu hỏi</h2>",
        kind_table_html(report),
        bar_chart_svg(report),
    ]
    if diff is not None:
        body.append(baseline_html(diff))
    body.append(f"<h2>Câu không đạt ({len(failures)})</h2>")
    body.append("".join(failure_html(r) for r in failures) or '<p class="ok">Không có.</p>')
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Đánh giá nghiquyet</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
