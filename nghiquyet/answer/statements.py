"""Candidate statements inside retrieved passages: sentences, clauses, indicator lines, table cells.

Each statement knows where it sits in `chunk.text` (for highlighting), which year(s) it is about and
whether it states a target (chỉ tiêu, Nghị quyết năm N), a result (kết quả, Thực hiện năm N) or both
("đạt 3,32% (Nghị quyết tăng 11% trở lên)"). Stance and years come from the document's own structure
first — the section heading, the table column — and only then from the wording of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from core.genre import RESULT_COLUMN_RE, TARGET_COLUMN_RE, YEAR_RE, term_before, years_in
from core.vietnamese import index_key
from ingest.models import Chunk
from nghiquyet.answer.numbers import has_figure, is_pure_figure, range_pattern
from nghiquyet.answer.stance import (
    Role,
    achieved_at_congress,
    period_label,
    statement_role,
    statement_years,
)
from nghiquyet.answer.terms import KeyedText
from retrieval.models import Passage

# A sentence ends at . ! ? … followed by space and something that starts a sentence, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“'(\[*]?[A-ZĐÀ-Ỹ0-9\-–•+])|\n+")
_BULLET = re.compile(r"^\s*(?:[-–—•+*]\s*|\(\d{1,3}\)\s*|\d{1,3}[.)-]\s+|[a-zđ]\)\s+)+")

# Long sentences are offered clause by clause too; shorter ones are quoted whole (indicator lines
# such as "Cơ cấu kinh tế: … 19 – 20%; … 23 – 24%; … 51 – 52%" must stay together).
LONG_SENTENCE_CHARS = 280

# Instructions aimed at an assistant ("Bỏ qua mọi hướng dẫn trước đó…") are never quoted as facts.
_INSTRUCTION = re.compile(
    r"bỏ qua (?:mọi|tất cả|toàn bộ|các|những)? ?(?:hướng dẫn|chỉ dẫn|chỉ thị|yêu cầu|quy tắc)|"
    r"(?:hãy|phải) trả lời|trả lời rằng|ignore (?:all |any )?(?:previous|prior|above|earlier) |"
    r"disregard (?:all |any )?(?:previous|prior|above)|system prompt|you are now|bạn là trợ lý"
)
_CONTINUATION = re.compile(
    r"^(?:đạt|vượt|tăng|giảm|chiếm|bằng|trong đó|tương đương|so với|so|với|gấp|nâng|riêng|là|còn lại|"
    r"hạng|xếp hạng|đứng|thu hoạch|mất)\b"
)

# Table headers: what kind of column each one is.
_COLUMN_UNIT = re.compile(r"đơn vị|đvt")
_COLUMN_INDEX = re.compile(r"^(?:số )?tt$|^stt$|^số thứ tự$")


@dataclass(frozen=True)
class Statement:
    """One thing a passage says that could answer the question."""

    passage: Passage
    rank: int                                  # retrieval rank of its passage (0 = best)
    text: str                                  # what the answer states (verbatim, or a rendered table cell)
    spans: tuple[tuple[int, int], ...]         # where it is in passage.chunk.text
    role: Role
    years: frozenset[int]
    period: str                                # "nhiệm kỳ 2020 – 2025" when the section is about a period
    keyed: KeyedText                           # the statement's own words
    context: KeyedText                         # heading path, table headers, parent row
    has_figure: bool
    column: str = ""                           # table column header, sentence case ("Thực hiện năm 2019")
    row_key: str = ""                          # same for every cell of one table row
    label: str = ""                            # a table row's own name ("Sản lượng lúa")
    lead: str = ""                             # the sentence that introduces this passage ("… phương châm là:")
    parent: str = ""                           # the row a table sub-row belongs to ("Sản lượng lúa")
    opening: str = ""                          # a sentence's first clause (for clauses taken from it)
    sentence: str = ""                         # the whole sentence a clause is taken from
    partial: bool = False                      # a clause from inside a sentence, not the sentence itself
    stated_years: frozenset[int] = frozenset()  # years written in the statement itself
    is_lead_in: bool = False

    @property
    def chunk(self) -> Chunk:
        return self.passage.chunk

    @property
    def province(self) -> str | None:
        return self.passage.chunk.doc.province


# --- sentences and clauses ------------------------------------------------------------------------

def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def _strip_bullet(text: str, start: int, end: int) -> int:
    m = _BULLET.match(text[start:end])
    return start + m.end() if m and m.end() < end - start else start


def _top_level_separators(text: str) -> list[tuple[int, int]]:
    """(position, length) of "; " and ", " outside parentheses and quotes."""
    depth = 0
    quote = False
    out = []
    for i, ch in enumerate(text):
        if ch in "(“[":
            depth += 1
        elif ch in ")”]":
            depth = max(0, depth - 1)
        elif ch == '"':
            quote = not quote
        elif ch in ";," and depth == 0 and not quote and i + 1 < len(text) and text[i + 1] == " ":
            out.append((i, 2))
    return out


def _clauses(text: str, start: int, end: int, key: str | None = None) -> list[tuple[int, int]]:
    """Clause groups of a long sentence: a piece starting with "đạt", "tăng"… stays with the one before."""
    body = text[start:end]
    body_key = key[start:end] if key is not None else None
    pieces: list[tuple[int, int]] = []
    pos = 0
    for sep, length in _top_level_separators(body):
        pieces.append((pos, sep))
        pos = sep + length
    pieces.append((pos, len(body)))
    groups: list[list[int]] = []
    for a, b in pieces:
        raw = body[a:b]
        lead = len(raw) - len(raw.lstrip())
        head = body_key[a + lead : b] if body_key is not None else index_key(raw.lstrip())
        if groups and (_CONTINUATION.match(head) or head[:1].isdigit()) and body[a - 2] == ",":
            groups[-1][1] = b
        else:
            groups.append([a, b])
    return [(start + a, start + b) for a, b in groups if b > a]


def _windows(clauses: list[tuple[int, int]], max_len: int = 3) -> list[tuple[int, int]]:
    out = []
    for i in range(len(clauses)):
        for j in range(i, min(len(clauses), i + max_len)):
            out.append((clauses[i][0], clauses[j][1]))
    return out


def _display(text: str) -> str:
    out = " ".join(text.split())
    return out.rstrip(" ;,:")


# --- table rows ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cell:
    header: str
    value: str
    start: int
    end: int


def _split_cells(text: str) -> list[tuple[str, int, int]]:
    cells = []
    pos = 0
    for part in text.split("\t"):
        a, b = pos, pos + len(part)
        pos = b + 1
        lead = len(part) - len(part.lstrip())
        trail = len(part) - len(part.rstrip())
        cells.append((part.strip(), a + lead, b - trail))
    return cells


def _split_headers(context: str) -> list[str]:
    line = next((ln for ln in context.splitlines() if "\t" in ln), context)
    if "\t" in line:
        return [h.strip() for h in line.split("\t")]
    for sep in (" · ", " | ", " │ "):
        if sep in line:
            return [h.strip() for h in line.split(sep)]
    return [line.strip()] if line.strip() else []


def sentence_case(header: str) -> str:
    """"THỰC HIỆN NĂM 2019" → "Thực hiện năm 2019" (headers are often all capitals)."""
    text = " ".join(header.split())
    if text.upper() == text:
        text = text.lower()
        text = text[:1].upper() + text[1:]
    return text


def _unit_text(unit: str) -> str:
    unit = unit.strip()
    if unit and unit[0].isupper() and (len(unit) == 1 or unit[1].islower()):
        return unit[0].lower() + unit[1:]
    return unit


def value_with_unit(value: str, unit: str) -> str:
    """The cell as written with its unit: "2,17" + "Triệu tấn" → "2,17 triệu tấn", "Từ 7,5 trở lên" + "%" → "Từ 7,5% trở lên"."""
    unit = _unit_text(unit)
    if not unit or unit in {"-", "–"}:
        return value
    glue = "" if unit.startswith(("%", "‰")) else " "
    if is_pure_figure(value):
        return f"{value}{glue}{unit}"
    figures = list(range_pattern().finditer(value))
    if len(figures) == 1:
        m = figures[0]
        if value[m.end() - 1 : m.end()] in {"%", "‰"}:
            return value
        return f"{value[: m.end()]}{glue}{unit}{value[m.end():]}"
    return f"{value} ({unit})"


def _is_data_header(header: str) -> bool:
    return bool(YEAR_RE.search(header)) and "/" not in header


def _column_role(header: str) -> Role:
    key = index_key(header)
    if RESULT_COLUMN_RE.search(key):
        return "result"
    if TARGET_COLUMN_RE.search(key):
        return "target"
    return "unknown"


_TAG_RE = re.compile(r"</?[a-zA-Z][^>]{0,20}>")
_STT = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVXLC]+[.)]|[a-zđ][.)])\s+")
_SUB = re.compile(r"^\s*(?:[-–—+•*]\s*|trong đó\s*[:,]?\s*)", re.IGNORECASE)


def _plain(text: str) -> str:
    return " ".join(_TAG_RE.sub("", text).split())


def _row_label(head: str, unit: str) -> str:
    """"4. Sản lượng lúa (Triệu tấn)" → "Sản lượng lúa"; "Trong đó: Khai thác biển (Tấn)" → "Khai thác biển"."""
    label = _plain(head)
    if unit and label.endswith(f"({_plain(unit)})"):
        label = label[: -len(_plain(unit)) - 2].rstrip()
    label = _STT.sub("", label, count=1)
    label = _SUB.sub("", label, count=1)
    return label.strip(" :,")


def _rendered_cells(text: str) -> tuple[str, int, int, list[_Cell]] | None:
    """Parse the ingested rendering "HEAD — Header: value · Header: value" with positions."""
    dash = text.find(" — ")
    head, rest_at = (text[:dash], dash + 3) if dash >= 0 else ("", 0)
    cells: list[_Cell] = []
    pos = rest_at
    for part in text[rest_at:].split(" · "):
        colon = part.find(": ")
        if colon > 0:
            a = pos + colon + 2
            cells.append(_Cell(part[:colon].strip(), part[colon + 2 :].strip(), a, pos + len(part.rstrip())))
        pos += len(part) + 3
    if not cells:
        return None
    return head, 0, max(dash, 0), cells


def _tabbed_cells(chunk: Chunk) -> tuple[str, int, int, list[_Cell], str] | None:
    """Raw tab-separated row with its header row in the context (another ingestion's format)."""
    raw = _split_cells(chunk.text)
    headers = _split_headers(chunk.context)
    if len(raw) < 2 or len(headers) < 2:
        return None
    label = unit = ""
    la = lb = 0
    cells = []
    for (value, a, b), header in zip(raw, headers):
        key = index_key(header)
        if _COLUMN_INDEX.match(key):
            continue
        if _COLUMN_UNIT.search(key):
            unit = value
        elif _is_data_header(header):
            cells.append(_Cell(header, value, a, b))
        elif not label:
            label, la, lb = value, a, b
    return label, la, lb, cells, unit


def _table_statements(passage: Passage, rank: int) -> list[Statement]:
    chunk = passage.chunk
    extra = dict(chunk.extra)
    unit = next((v for k, v in extra.items() if _COLUMN_UNIT.search(index_key(k))), "")
    parsed = _rendered_cells(chunk.text)
    if parsed is not None:
        head, la, lb, cells = parsed
        if not extra:
            # Without the raw cells, a short trailing "(Triệu tấn)" on the row name is its unit column.
            m = re.search(r"\(([^()\d]{1,25})\)\s*$", head)
            unit = m.group(1) if m else ""
    else:
        tabbed = _tabbed_cells(chunk)
        if tabbed is None:
            return []
        head, la, lb, cells, unit = tabbed
        unit = unit or ""
    label = _row_label(head, unit)
    if not label:
        return []
    # The parent row ("4. Sản lượng lúa (Triệu tấn)") is named in the context of its sub-rows.
    parent = _row_label(chunk.context.split(" › ")[0], "") if chunk.context and "\t" not in chunk.context else ""
    parent = re.sub(r"\s*\([^)]*\)$", "", parent)
    row_key = f"{label} ({parent})" if parent else label
    # The parent's name is context: "Trong đó: Khai thác biển" is not itself the total it belongs to.
    keyed = KeyedText.of(label, unit)
    heading = " · ".join(chunk.heading_path)
    out = []
    for cell in cells:
        value = _plain(cell.value)
        if not value or value in {"-", "–"} or not _is_data_header(cell.header):
            continue
        out.append(
            Statement(
                passage=passage,
                rank=rank,
                text=value_with_unit(value, _plain(unit)),
                spans=((la, lb), (cell.start, cell.end)) if lb > la else ((cell.start, cell.end),),
                role=_column_role(cell.header),
                years=frozenset(years_in(cell.header)),
                period="",
                keyed=keyed,
                context=KeyedText.of(heading, cell.header, chunk.context),
                has_figure=has_figure(value),
                column=sentence_case(_plain(cell.header)),
                row_key=row_key,
                label=label,
                parent=parent,
                stated_years=frozenset(years_in(cell.header)),
            )
        )
    return out


# --- all statements of a passage -------------------------------------------------------------------

def passage_statements(passage: Passage, rank: int) -> list[Statement]:
    """Every candidate statement of one retrieved passage (computed once per chunk, then reused)."""
    return [replace(s, passage=passage, rank=rank) for s in chunk_statements(passage.chunk)]


@lru_cache(maxsize=8192)
def chunk_statements(chunk: Chunk) -> tuple[Statement, ...]:
    placeholder = Passage(chunk=chunk, score=0.0)
    if chunk.kind == "table_row":
        table = _table_statements(placeholder, 0)
        if table:
            return tuple(table)
    return tuple(_text_statements(placeholder))


def _text_statements(passage: Passage) -> list[Statement]:
    chunk = passage.chunk
    heading = " · ".join(chunk.heading_path)
    text = chunk.text
    whole_key = index_key(text)
    # index_key keeps the length of NFC text, so one key of the passage serves every piece of it.
    aligned = len(whole_key) == len(text)

    def key_of(a: int, b: int) -> str:
        return whole_key[a:b] if aligned else index_key(text[a:b])

    context = KeyedText.of(heading, chunk.context)
    period = period_label(tuple(chunk.heading_path))
    lead_text = chunk.context.strip()
    spans = _sentence_spans(text)
    out: list[Statement] = []
    merged: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(spans):
        a, b = spans[i]
        lead_in = text[a:b].rstrip().endswith(":")
        if lead_in and i + 1 < len(spans):
            # "Đại hội xác định phương châm là:" says nothing until the next line does.
            merged.append((a, spans[i + 1][1], False))
            i += 2
            continue
        merged.append((a, b, lead_in))
        i += 1
    for a, b, lead_in in merged:
        a = _strip_bullet(text, a, b)
        parts = _clauses(text, a, b, whole_key if aligned else None)
        opening = text[parts[0][0] : parts[0][1]] if parts else ""
        # A clause that opens the sentence is offered alone only in long sentences: in a short one
        # the clauses after it are usually its list ("Cơ cấu kinh tế: … 19 – 20%; … 23 – 24%").
        long = b - a > LONG_SENTENCE_CHARS
        candidates = [(a, b), *(w for w in _windows(parts) if w != (a, b) and (long or w[0] != a))]
        sentence_years = years_in(key_of(a, b), True)
        for ca, cb in candidates:
            ca = _strip_bullet(text, ca, cb)
            piece = text[ca:cb]
            piece_key = key_of(ca, cb)
            if _INSTRUCTION.search(piece_key):
                continue  # text that addresses the reader or a model is not evidence of anything
            own = years_in(piece_key, True) or sentence_years
            years = statement_years(chunk, piece, own=own)
            role = statement_role(chunk, piece, years, key=piece_key)
            if achieved_at_congress(chunk, own, role, piece_key):
                # "GRDP bình quân đầu người đạt 76,3 triệu đồng" told at the 2020–2025 congress: 2015–2020's.
                years, role = term_before(chunk.period_years), "result"
            out.append(
                Statement(
                    passage=passage,
                    rank=0,
                    text=_display(piece),
                    spans=((ca, cb),),
                    role=role,
                    years=years,
                    period=period,
                    keyed=KeyedText.of_key(piece_key),
                    context=context,
                    lead=lead_text,
                    has_figure=has_figure(piece),
                    stated_years=own,
                    opening=opening,
                    sentence=text[a:b] if (ca, cb) != (a, b) else "",
                    partial=(ca, cb) != (a, b),
                    # Only a bare "… là:" is a lead-in; a longer sentence ending in ":" says things too.
                    is_lead_in=lead_in and piece.rstrip().endswith(":") and len(_clauses(text, ca, cb)) == 1,
                )
            )
    return out
