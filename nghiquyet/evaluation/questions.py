"""The regression question set: loading with clear errors, checking it against the corpus, appending to it.

The file format is documented in `regression/README.md`. Each entry names the figures a correct
answer must contain, the document(s) it comes from and a verbatim evidence quote, so a check can
prove every question is answerable from the corpus (or, for `unanswerable`, is not meant to be).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from core.vietnamese import fold_diacritics, nfc
from core.errors import QuestionFileError
from core.locks import exclusive, lock_path_for
# Re-exported: benchmarks and the metrics match quotes and figures with the same rules.
from nghiquyet.evaluation.matching import contains_figure, match_key, shows_figure, verbatim_key

if TYPE_CHECKING:
    from nghiquyet.answer.models import Answer

KINDS: tuple[str, ...] = (
    "target",
    "result",
    "table",
    "list",
    "fact",
    "disambiguation",
    "compare",
    "paraphrase",
    "unanswerable",
    "no-diacritics",
    "english",
    "abbreviation",
)

# Metrics a threshold may name; all are rates in [0, 1] where higher is better.
THRESHOLD_METRICS: tuple[str, ...] = (
    "hit_at_1",
    "hit_at_5",
    "mrr",
    "answer_accuracy",
    "refusal_accuracy",
    "unanswerable_refused_rate",
    "answerable_answered_rate",
    "grounded_number_rate",
)

_REQUIRED_KEYS = ("id", "question", "kind", "expected", "source", "evidence")
_OPTIONAL_KEYS = ("note",)
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
SUPPORTED_VERSION = 1


@dataclass(frozen=True)
class Question:
    """One regression question and what a correct answer must show."""

    id: str
    question: str
    kind: str
    expected: tuple[str, ...]             # figures/phrases as written in the source
    sources: tuple[str, ...]              # file names in the corpus; empty when unanswerable
    evidence: tuple[str, ...]             # verbatim quotes; a passage containing any of them is relevant
    note: str | None = None

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"

    def as_entry(self) -> dict[str, Any]:
        """The YAML shape: a single source/evidence stays a scalar, several become a list."""
        entry: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "kind": self.kind,
            "expected": list(self.expected),
            "source": _scalar_or_list(self.sources),
            "evidence": _scalar_or_list(self.evidence),
        }
        if self.note:
            entry["note"] = self.note
        return entry


@dataclass(frozen=True)
class QuestionSet:
    version: int
    questions: tuple[Question, ...]
    thresholds: Mapping[str, float] = field(default_factory=dict)
    path: Path | None = None
    documents: tuple[Path, ...] = ()   # folders to ingest for this set (an external set names them)
    external: bool = False             # questions read from a third-party JSONL file, not written here

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Kinds present, in the canonical order."""
        present = {q.kind for q in self.questions}
        return tuple(k for k in KINDS if k in present)

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _scalar_or_list(values: tuple[str, ...]) -> str | list[str] | None:
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


# --- loading -------------------------------------------------------------------------------------


def load_questions(path: Path | str) -> QuestionSet:
    """Read and validate a question file; raises QuestionFileError naming the bad entry."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise QuestionFileError(
            f"Không tìm thấy tệp câu hỏi {path}.",
            "Chỉ đường dẫn tới tệp YAML (mặc định regression/questions.yaml).",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"Không đọc được tệp câu hỏi {path}: {exc}.") from exc
    return parse_questions(text, path=path)


def parse_questions(text: str, *, path: Path | None = None) -> QuestionSet:
    """Validate the YAML text of a question file."""
    where = str(path) if path else "tệp câu hỏi"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (dòng {mark.line + 1})" if mark is not None else ""
        raise QuestionFileError(f"{where} không phải YAML hợp lệ{line}: {getattr(exc, 'problem', exc)}.") from exc
    if not isinstance(data, dict):
        raise QuestionFileError(f"{where}: cần một bảng có các khóa version, thresholds, questions.")
    unknown = set(data) - {"version", "thresholds", "questions", "questions_from", "documents"}
    if unknown:
        raise QuestionFileError(f"{where}: khóa không hợp lệ ở cấp trên cùng: {', '.join(sorted(map(str, unknown)))}.")
    version = data.get("version")
    if version != SUPPORTED_VERSION:
        raise QuestionFileError(f"{where}: version phải là {SUPPORTED_VERSION} (đang là {version!r}).")
    thresholds = _parse_thresholds(data.get("thresholds") or {}, where)
    if "questions_from" in data:
        # A set kept outside the repository (third-party documents): its questions in their own JSONL
        # format, its thresholds here; paths are relative to this file.
        base = path.parent if path else Path(".")
        source = base / str(data["questions_from"])
        documents = tuple(base / str(d) for d in _string_list(data.get("documents") or [], "documents", allow_scalar=True))
        from nghiquyet.evaluation.external import read_jsonl_questions  # late: external.py builds on this module

        questions_from = read_jsonl_questions(source)
        return QuestionSet(
            version=version, questions=questions_from, thresholds=thresholds, path=path, documents=documents,
            external=True,
        )
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise QuestionFileError(f"{where}: 'questions' phải là một danh sách không rỗng.")
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(raw_questions, start=1):
        question = _parse_entry(entry, number, where)
        if question.id in seen:
            raise QuestionFileError(
                f"{where}: câu hỏi #{number} (id={question.id}) trùng id với câu hỏi #{seen[question.id]}."
            )
        seen[question.id] = number
        questions.append(question)
    return QuestionSet(version=version, questions=tuple(questions), thresholds=thresholds, path=path)


def _parse_thresholds(raw: object, where: str) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise QuestionFileError(f"{where}: 'thresholds' phải là một bảng tên chỉ số → ngưỡng.")
    out: dict[str, float] = {}
    for name, value in raw.items():
        if name not in THRESHOLD_METRICS:
            raise QuestionFileError(
                f"{where}: ngưỡng '{name}' không phải chỉ số đã biết.",
                f"Các chỉ số có thể đặt ngưỡng: {', '.join(THRESHOLD_METRICS)}.",
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
            raise QuestionFileError(f"{where}: ngưỡng '{name}' phải là số từ 0 đến 1 (đang là {value!r}).")
        out[name] = float(value)
    return out


def _parse_entry(entry: object, number: int, where: str) -> Question:
    label = f"{where}: câu hỏi #{number}"
    if not isinstance(entry, dict):
        raise QuestionFileError(f"{label} phải là một bảng (id, question, kind, expected, source, evidence).")
    if isinstance(entry.get("id"), str) and entry["id"].strip():
        label += f" (id={entry['id']})"
    missing = [k for k in _REQUIRED_KEYS if k not in entry]
    if missing:
        raise QuestionFileError(f"{label}: thiếu khóa {', '.join(missing)}.")
    unknown = set(entry) - set(_REQUIRED_KEYS) - set(_OPTIONAL_KEYS)
    if unknown:
        raise QuestionFileError(f"{label}: khóa không hợp lệ {', '.join(sorted(map(str, unknown)))}.")

    qid = entry["id"]
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        raise QuestionFileError(
            f"{label}: id {qid!r} không hợp lệ.", "Dùng chữ không dấu, số, '-', '_' hoặc '.', tối đa 80 ký tự."
        )
    text = entry["question"]
    if not isinstance(text, str) or not text.strip():
        raise QuestionFileError(f"{label}: 'question' phải là một câu hỏi không rỗng.")
    kind = entry["kind"]
    if kind not in KINDS:
        raise QuestionFileError(f"{label}: kind {kind!r} không hợp lệ.", f"Chọn một trong: {', '.join(KINDS)}.")
    expected = _string_list(entry["expected"], f"{label}: 'expected'", allow_scalar=False)
    sources = _string_list(entry["source"], f"{label}: 'source'", allow_scalar=True)
    evidence = _string_list(entry["evidence"], f"{label}: 'evidence'", allow_scalar=True)
    for source in sources:
        if "/" in source or "\\" in source:
            raise QuestionFileError(f"{label}: 'source' chỉ ghi tên tệp trong thư mục tài liệu, không ghi đường dẫn ({source}).")
    if kind == "unanswerable":
        if expected or sources or evidence:
            raise QuestionFileError(
                f"{label}: câu hỏi loại unanswerable phải có expected: [], source: null, evidence: null."
            )
    else:
        if not expected:
            raise QuestionFileError(f"{label}: 'expected' cần ít nhất một số liệu/cụm từ mà câu trả lời đúng phải có.")
        if not sources:
            raise QuestionFileError(f"{label}: 'source' cần tên tệp tài liệu chứa câu trả lời.")
        if not evidence:
            raise QuestionFileError(f"{label}: 'evidence' cần một trích dẫn nguyên văn từ tài liệu.")
    note = entry.get("note")
    if note is not None and not isinstance(note, str):
        raise QuestionFileError(f"{label}: 'note' phải là chuỗi.")
    return Question(
        id=qid,
        question=nfc(text.strip()),
        kind=kind,
        expected=tuple(nfc(e) for e in expected),
        sources=tuple(sources),
        evidence=tuple(nfc(e) for e in evidence),
        note=note,
    )


def _string_list(value: object, label: str, *, allow_scalar: bool) -> list[str]:
    if value is None:
        return []
    if allow_scalar and isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        shape = "một chuỗi hoặc danh sách chuỗi" if allow_scalar else "một danh sách chuỗi"
        raise QuestionFileError(f"{label} phải là {shape} (đang là {type(value).__name__}).")
    out: list[str] = []
    for item in value:
        # YAML reads 11 or 3.5 as numbers: a figure must stay text as written ("3,32"), so say so.
        if not isinstance(item, str) or not item.strip():
            raise QuestionFileError(f"{label}: {item!r} phải là chuỗi không rỗng, đặt trong dấu nháy (\"11%\").")
        out.append(item.strip())
    return out


# --- checking against the corpus -------------------------------------------------------------------


def check_evidence(qs: QuestionSet, corpus_dir: Path | str) -> list[str]:
    """Problems that make a question unfair or unmeasurable; an empty list means the set is sound.

    Checks: ids unique; every source file exists; every evidence quote occurs verbatim (after NFC,
    whitespace runs collapsed) in one of its question's sources; every source of a multi-source
    question has a quote of its own (otherwise retrieval could never cover it); the line holding a
    quote states one of the expected figures (a passage is relevant only if it shows the answer);
    every expected figure is written in one of the sources (case and tone style ignored).
    """
    corpus_dir = Path(corpus_dir)
    problems: list[str] = []
    texts: dict[str, str | None] = {}

    def document(name: str) -> str | None:
        if name not in texts:
            file = corpus_dir / name
            try:
                texts[name] = file.read_text(encoding="utf-8-sig") if file.is_file() else None
            except (OSError, UnicodeDecodeError):
                texts[name] = None
        return texts[name]

    seen: set[str] = set()
    for q in qs.questions:
        if q.id in seen:
            problems.append(f"{q.id}: id bị trùng.")
        seen.add(q.id)
        if not q.answerable:
            continue
        docs: dict[str, str] = {}
        for source in q.sources:
            text = document(source)
            if text is None:
                problems.append(f"{q.id}: không có tệp nguồn {source} trong {corpus_dir}.")
            else:
                docs[source] = text
        if len(docs) < len(q.sources):
            continue
        verbatim = {s: verbatim_key(t) for s, t in docs.items()}
        covered: set[str] = set()
        for quote in q.evidence:
            found = [s for s, t in verbatim.items() if verbatim_key(quote) in t]
            if not found:
                problems.append(f"{q.id}: trích dẫn không có nguyên văn trong {', '.join(q.sources)}: «{quote}»")
            covered.update(found)
            lines = [
                line for s in found for line in docs[s].splitlines() if verbatim_key(quote) in verbatim_key(line)
            ]
            if lines and not any(shows_figure(line, f) for line in lines for f in q.expected):
                problems.append(f"{q.id}: dòng chứa trích dẫn «{quote}» không nêu số liệu mong đợi nào.")
        for source in q.sources:
            if source not in covered and len(q.sources) > 1:
                problems.append(f"{q.id}: không có trích dẫn nào lấy từ {source}.")
        for figure in q.expected:
            if not any(contains_figure(t, figure) for t in docs.values()):
                problems.append(f"{q.id}: số liệu/cụm từ mong đợi «{figure}» không có trong {', '.join(q.sources)}.")
    return problems


# --- appending (the app's 👍 "add to regression set") --------------------------------------------


def suggest_id(question: str, existing: Iterable[str] = ()) -> str:
    """A readable unused id from the question text: "Tỷ lệ BHYT Lạng Sơn?" → "ty-le-bhyt-lang-son"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(nfc(question)).lower()).strip("-")[:60].strip("-")
    base = slug or "cau-hoi"
    taken = set(existing)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def question_from_answer(
    answer: "Answer",
    expected: Sequence[str],
    *,
    existing_ids: Iterable[str] = (),
    kind: str | None = None,
    note: str | None = None,
) -> Question:
    """A regression entry from an approved answer: its cited documents and a quote holding each figure."""
    if answer.refused or not answer.citations:
        raise QuestionFileError("Chỉ thêm được câu trả lời có trích dẫn vào bộ câu hỏi hồi quy.")
    if not expected:
        raise QuestionFileError("Cần ít nhất một số liệu mong đợi để thêm vào bộ câu hỏi hồi quy.")
    sources: list[str] = []
    evidence: list[str] = []
    for figure in expected:
        for citation in answer.citations:
            quote = _line_containing(citation.passage.chunk.text, figure)
            if quote:
                if quote not in evidence:
                    evidence.append(quote)
                if citation.passage.chunk.source not in sources:
                    sources.append(citation.passage.chunk.source)
                break
    if not evidence:
        first = answer.citations[0].passage.chunk
        sources.append(first.source)
        evidence.append(_first_line(first.text))
    if kind is None:
        intent = answer.analysis.intent if answer.analysis else "any"
        kind = "compare" if len(sources) > 1 else intent if intent in ("target", "result") else "fact"
    return Question(
        id=suggest_id(answer.question, existing_ids),
        question=nfc(answer.question.strip()),
        kind=kind,
        expected=tuple(expected),
        sources=tuple(sources),
        evidence=tuple(evidence),
        note=note,
    )


def _line_containing(text: str, figure: str) -> str | None:
    """The shortest line/clause of `text` that holds `figure`, trimmed to a readable quote."""
    key = match_key(figure)
    for line in text.splitlines():
        if key in match_key(line):
            for clause in re.split(r"(?<=[;.])\s+", line.strip()):
                if key in match_key(clause):
                    return clause.strip()[:300]
            return line.strip()[:300]
    return None


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())[:300]


def format_entry(question: Question, indent: str = "  ") -> str:
    """One entry in the file's style: JSON strings and flow lists (both valid YAML)."""

    def value(v: Any) -> str:
        return "null" if v is None else json.dumps(v, ensure_ascii=False)

    entry = question.as_entry()
    keys = list(entry)
    lines = [f"{indent}- {keys[0]}: {value(entry[keys[0]])}"]
    lines += [f"{indent}  {k}: {value(entry[k])}" for k in keys[1:]]
    return "\n".join(lines) + "\n"


def append_question(path: Path | str, question: Question) -> None:
    """Add one entry at the end of the `questions:` list, leaving the rest of the file text untouched."""
    path = Path(path)
    entry_set = parse_questions(  # validate the entry on its own before touching the file
        f"version: {SUPPORTED_VERSION}\nquestions:\n{format_entry(question)}"
    )
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError as exc:
        raise QuestionFileError(f"Không tìm thấy tệp câu hỏi {path}.") from exc
    except OSError as exc:
        raise QuestionFileError(f"Không mở được tệp câu hỏi {path} để ghi: {exc.strerror or exc}.") from exc
    with os.fdopen(fd, "r+", encoding="utf-8", newline="") as handle, ExitStack() as held:
        try:
            # Several app sessions may approve answers at once: one writer at a time.
            held.enter_context(exclusive(lock_path_for(path)))
        except OSError as exc:
            raise QuestionFileError(
                f"Không khóa được tệp câu hỏi {path} để ghi: {exc.strerror or exc}.",
                f"Cần quyền ghi thư mục {path.parent}.",
            ) from exc
        text = handle.read()
        current = parse_questions(text, path=path)
        if current.get(question.id) is not None:
            raise QuestionFileError(f"Câu hỏi id={question.id} đã có trong {path}.", "Chọn id khác (suggest_id).")
        updated = _insert_entry(text, format_entry(question, _item_indent(text)))
        reparsed = parse_questions(updated, path=path)
        if reparsed.questions[-1] != entry_set.questions[0] or len(reparsed) != len(current) + 1:
            raise QuestionFileError(f"Không thêm được câu hỏi vào {path}: cấu trúc tệp không như mong đợi.")
        if updated.startswith(text):
            # The usual case: only append, so a crash can never damage what was already there.
            handle.seek(0, os.SEEK_END)
            handle.write(updated[len(text):])
        else:
            handle.seek(0)
            handle.write(updated)
            handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _item_indent(text: str) -> str:
    match = re.search(r"^(\s*)- id:", text, flags=re.MULTILINE)
    return match.group(1) if match else "  "


def _insert_entry(text: str, entry: str) -> str:
    """Insert after the last item of the top-level `questions:` block (normally the end of the file)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^questions:\s*(#.*)?$", line.rstrip("\r\n"))), None)
    if start is None:
        raise QuestionFileError("Tệp câu hỏi không có khối 'questions:' ở cấp trên cùng.")
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if re.match(r"^[A-Za-z_]", lines[i]):
            end = i
            break
    # Keep trailing blank lines/comments that belong to the next block where they are.
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    head = "".join(lines[:end])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + entry + "".join(lines[end:])
