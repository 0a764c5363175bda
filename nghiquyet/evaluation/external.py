"""Question sets kept outside the repository in their own JSONL format (the genre development set):
read into this project's `Question`s, so `nghiquyet eval` runs them through the same code path."""

from __future__ import annotations

import json
from typing import Any
from pathlib import Path

from core.errors import QuestionFileError
from nghiquyet.evaluation.questions import KINDS, Question

# The genre development set's kinds, in this project's names.
_JSONL_KINDS = {"abbrev": "abbreviation"}


def read_jsonl_questions(path: Path) -> tuple[Question, ...]:
    """Questions in the JSONL format of an external set: id, question, kind, must_contain, doc, evidence
    (several documents of a comparison joined by ";")."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise QuestionFileError(f"Không tìm thấy tệp câu hỏi {path}.", "Kiểm tra đường dẫn questions_from.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"Không đọc được tệp câu hỏi {path}: {exc}.") from exc
    out: list[Question] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            kind = _JSONL_KINDS.get(row["kind"], row["kind"])
            if kind not in KINDS:
                raise QuestionFileError(f"{path}: dòng {number}: loại câu hỏi '{row['kind']}' chưa biết.")
            out.append(
                Question(
                    id=str(row["id"]),
                    question=str(row["question"]),
                    kind=kind,
                    expected=_texts(row.get("must_contain")),
                    sources=tuple(d.strip() for d in str(row.get("doc") or "").split(";") if d.strip()),
                    evidence=_texts(row.get("evidence")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{path}: dòng {number} không đúng định dạng ({exc}).") from exc
    if not out:
        raise QuestionFileError(f"{path}: không có câu hỏi nào.")
    return tuple(out)


def _texts(value: object) -> tuple[str, ...]:
    """A JSONL list of texts; one text written alone is one item, not its characters."""
    items: Any = [value] if isinstance(value, str) else value or ()  # anything else fails as before (TypeError)
    return tuple(str(v) for v in items if str(v).strip())
