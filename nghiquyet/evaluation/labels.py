"""Vietnamese names for metrics and question kinds, shared by the text and HTML reports."""

from __future__ import annotations

METRIC_LABELS: dict[str, str] = {
    "hit_at_1": "hit@1 — đoạn đúng ở hạng 1",
    "hit_at_5": "hit@5 — đoạn đúng trong 5 đoạn đầu",
    "mrr": "MRR",
    "answer_accuracy": "Câu trả lời đúng",
    "refusal_accuracy": "Quyết định từ chối đúng",
    "unanswerable_refused_rate": "Câu không có đáp án được từ chối",
    "answerable_answered_rate": "Câu có đáp án được trả lời",
    "grounded_number_rate": "Số liệu có trong trích dẫn",
    "latency_p50_ms": "Độ trễ p50 (ms)",
    "latency_p95_ms": "Độ trễ p95 (ms)",
}

KIND_LABELS: dict[str, str] = {
    "target": "chỉ tiêu",
    "result": "kết quả",
    "table": "bảng phụ lục",
    "list": "danh sách",
    "fact": "thông tin văn bản",
    "disambiguation": "nhiều tỉnh/năm",
    "compare": "so sánh",
    "paraphrase": "diễn đạt khác",
    "unanswerable": "không có đáp án",
    "no-diacritics": "không dấu",
    "english": "tiếng Anh",
    "abbreviation": "viết tắt",
}


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return f"{kind} ({label})" if label else kind


def format_rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def format_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"
