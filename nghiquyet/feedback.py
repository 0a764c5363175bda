"""Readers' 👍/👎 on answers, appended to a local JSONL file, and figures for the regression set.

The file is append-only so several app processes can share it: each record carries the answer's
`turn_id`, and the latest record for a turn is the current verdict (a comment added after the
thumb is a second record for the same turn).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from nghiquyet.answer.models import Answer, Citation
from nghiquyet.answer.numbers import find_figures, strip_markers
from core.errors import FeedbackError
from core.locks import exclusive, lock_path_for

Rating = Literal["up", "down"]


@dataclass(frozen=True)
class FeedbackRecord:
    """One verdict on one answer, with enough context to reproduce it."""

    turn_id: str
    rating: Rating
    question: str
    answer: str
    resolved_question: str | None = None
    comment: str = ""
    refused: bool = False
    mode: str = "extractive"
    citations: tuple[str, ...] = ()          # "source · location" of each cited passage
    filters: dict[str, list[str]] = field(default_factory=dict)
    created_at: str = ""

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["citations"] = list(self.citations)
        return d


def record_for(
    turn_id: str,
    answer: Answer,
    rating: Rating,
    *,
    comment: str = "",
    asked: str | None = None,
    filters: dict[str, list[str]] | None = None,
) -> FeedbackRecord:
    """A feedback record for an answer the app showed."""
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
    question = asked or answer.question
    resolved = answer.resolved_question or answer.question
    return FeedbackRecord(
        turn_id=turn_id,
        rating=rating,
        question=question,
        answer=answer.answer,
        resolved_question=resolved if resolved != question else None,
        comment=comment.strip(),
        refused=answer.refused,
        mode=answer.mode,
        citations=tuple(f"{c.passage.chunk.source} · {c.passage.chunk.location}" for c in answer.citations),
        filters=filters or {},
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


@contextmanager
def _locked_append(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Several app processes may share the file: one whole line at a time.
    with exclusive(lock_path_for(path)):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            yield fd
        finally:
            os.close(fd)


def append_feedback(path: Path, record: FeedbackRecord) -> None:
    """Append one record as a JSON line."""
    line = json.dumps(record.as_dict(), ensure_ascii=False) + "\n"
    try:
        with _locked_append(path) as fd:
            os.write(fd, line.encode("utf-8"))
    except OSError as exc:
        raise FeedbackError(
            f"Không ghi được góp ý vào {path}: {exc.strerror or exc}.",
            "Kiểm tra quyền ghi thư mục hoặc đặt NGHIQUYET_FEEDBACK_FILE.",
        ) from exc


def load_feedback(path: Path) -> list[FeedbackRecord]:
    """The current verdict for every answer (latest record per turn), oldest first."""
    if not path.is_file():
        return []
    latest: dict[str, FeedbackRecord] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedbackError(f"Không đọc được tệp góp ý {path}: {exc}.") from exc
    for line in lines:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            data["citations"] = tuple(data.get("citations", ()))
            record = FeedbackRecord(**data)
        except (json.JSONDecodeError, TypeError):
            continue  # a line cut short by a crash must not hide the others
        latest.pop(record.turn_id, None)
        latest[record.turn_id] = record
    return list(latest.values())


def expected_figures(answer: Answer) -> tuple[str, ...]:
    """The figures an approved answer states, as written ("11%", "6.150,1 tỷ đồng"), years excluded.

    These become the regression set's expectations: a later answer to the same question must
    still contain them.
    """
    seen: list[str] = []
    text = strip_markers(answer.answer)
    for fig in find_figures(text):
        if fig.is_year:
            continue
        a, b = fig.span_with_unit
        figure = text[a:b].strip()
        if figure not in seen:
            seen.append(figure)
    return tuple(seen)


def passage_figures(citations: tuple[Citation, ...] | list[Citation]) -> tuple[str, ...]:
    """Figures an admin may choose as a regression item's expectations: those the cited passages state.

    The cited sentences' figures come first. Years are left out, and so are digits that belong to a
    word ("Covid-19", "F0"), which are names, not quantities.
    """
    inside: list[str] = []
    outside: list[str] = []
    for citation in citations:
        text = citation.passage.chunk.text
        for fig in find_figures(text):
            if fig.is_year or _part_of_word(text, fig.start, fig.end):
                continue
            a, b = fig.span_with_unit
            figure = text[a:b].strip()
            cited = any(x <= fig.start < y for x, y in citation.highlights)
            (inside if cited else outside).append(figure)
    return tuple(dict.fromkeys((*inside, *outside)))


def _part_of_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    if before == "-" and start > 1 and text[start - 2].isalpha():
        return True  # "Covid-19"
    after = text[end] if end < len(text) else " "
    return before.isalpha() or after.isalpha()


QUESTIONS_FILE_HEADER = (
    "# Bộ câu hỏi hồi quy do quản trị viên thêm từ ứng dụng (định dạng: regression/README.md).\n"
    "version: 1\nquestions:\n"
)


def add_regression_question(path: Path, answer: Answer, expected: tuple[str, ...] | list[str]) -> str:
    """Add an approved answer with the admin's chosen figures to a regression file (created if absent); its id."""
    from nghiquyet.evaluation.questions import append_question, format_entry, load_questions, question_from_answer

    existing = [q.id for q in load_questions(path).questions] if path.exists() else []
    entry = question_from_answer(answer, tuple(expected), existing_ids=existing)
    if path.exists():
        append_question(path, entry)
        return entry.id
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(QUESTIONS_FILE_HEADER + format_entry(entry))
    except FileExistsError:  # another session created it meanwhile
        append_question(path, entry)
    except OSError as exc:
        raise FeedbackError(
            f"Không tạo được tệp câu hỏi kiểm thử {path}: {exc.strerror or exc}.",
            "Kiểm tra quyền ghi hoặc đặt NGHIQUYET_ADMIN_QUESTIONS_FILE.",
        ) from exc
    return entry.id
