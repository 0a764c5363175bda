"""Per-document metadata read from the text itself: title, type, number, date, signer, province, years.

Every field needs evidence in the text; without it the field stays None (or empty). The rules are
about the genre — how Vietnamese resolutions, political reports and the news articles that publish
them are written — never about particular documents:

- title: the heading near the top that starts with a document type ("Nghị quyết …", "BÁO CÁO …",
  "TÀI LIỆU TUYÊN TRUYỀN …"), before the body starts; web-page chrome above it is skipped;
- number: the header line "Số: 27-NQ/TU", or "ban hành Nghị quyết số 27-NQ/TU" in the opening;
- issue date: the header line "…, ngày 27 tháng 12 năm 2019", or the date in the opening sentence
  that says the document was issued ("ngày 5/12/2019 … ban hành Nghị quyết số 100");
- signer: the name under "T/M … BÍ THƯ" / after the recipients list, or "đồng chí X, … đã ký ban hành";
- province: anchored mentions ("tỉnh X", "Tỉnh ủy X", "Báo X") and mentions in the title weigh most;
  a province must clearly outweigh any other;
- years: what the title and the section headings say the document plans for ("nhiệm vụ năm 2020",
  "chỉ tiêu … nhiệm kỳ 2020 - 2025") or reports on ("kết quả thực hiện … năm 2020", "Báo cáo chính trị …
  nhiệm kỳ 2015 - 2020", a "THỰC HIỆN NĂM 2019" column). Years merely mentioned in passing do not count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from core.genre import DOC_TYPES, PLAN_TYPES, REPORT_TYPES
from core.vietnamese import fold_diacritics, index_key, key_regex, nfc
from ingest.models import DocumentMeta
from ingest.provinces import find_province_mentions
from ingest.structure import is_caps_line, parse_document, split_lines
from ingest.tables import looks_like_header, split_cells

_OPENING_CHARS = 4000
_TITLE_SCAN_LINES = 25
_BODY_LINE = 300  # a line this long is body text: the title comes before it

_YEAR = r"(?:19[5-9]\d|20\d\d)"
_YEAR_TOKEN = re.compile(rf"(?<![\d.,])({_YEAR})(?:\s*(?:[-–—]|đến|tới)\s*(?:năm\s+)?({_YEAR}))?(?![\d]|[.,]\d)")
_STRONG_REPORT = ("kết quả", "tổng kết", "đánh giá", "tình hình", "sơ kết")
_PLAN_CUES = ("nhiệm vụ", "chỉ tiêu", "mục tiêu", "phương hướng", "kế hoạch", "giải pháp", "định hướng",
              "trình đại hội", "dự toán", "chương trình hành động")
_WEAK_REPORT = ("thực hiện", "báo cáo", "đã đạt")

_DATE_NUMERIC = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*((?:19|20)\d\d)(?!\d)")
_DATE_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)(?!\d)", re.I)
_HEADER_DATE = re.compile(r"^[^\n,]{2,40},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+((?:19|20)\d\d)", re.I)
_HEADER_NUMBER = re.compile(r"^Số\s*[:.]\s*(\d+[\w\-/.Đđ]*)", re.I)
_CODE = r"\d+(?:\s*[-/]\s*[A-ZĐa-zđ0-9]+)*(?:/[A-ZĐa-zđ0-9\-]+)?"
_NAME = r"(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,4}"
_COMRADE_SIGNED = re.compile(rf"đồng\s+chí\s+({_NAME})\s*,[^.]{{0,300}}?(?:đã\s+)?ký\s+(?:ban\s+hành|thông\s+qua)", re.I)
_SIGNATURE_LEAD = re.compile(
    r"^(?:noi\s+nhan|t/m|tm[\s.]|kt[\s.]|k/t|tuq[\s.]|ttl[\s.]|(?:pho\s+)?bi\s+thu$|(?:pho\s+)?chu\s+tich$|giam\s+doc$)",
    re.I,
)


def detect_metadata(text: str, source: str, content_hash: str) -> DocumentMeta:
    """Metadata of one repaired document text; fields without evidence stay empty."""
    text = nfc(text)
    with_blanks = [line.text for line in split_lines(text)]
    lines = [line for line in with_blanks if line]
    title = detect_title(with_blanks)
    doc_type = detect_doc_type(title, text) or detect_genre_type(text)
    number = detect_number(lines, text, doc_type)
    plan, report = detect_years(text, title, doc_type)
    # A web page or a pasted article has no document title; its headline (or its lead) names it.
    title = title or detect_headline(with_blanks)
    return DocumentMeta(
        source=source,
        title=title,
        province=detect_province(text, title),
        years=tuple(sorted(set(plan) | set(report))),
        plan_years=tuple(sorted(plan)),
        report_years=tuple(sorted(report)),
        doc_type=doc_type,
        number=number,
        issue_date=detect_issue_date(lines, text, doc_type, number) or detect_published(lines),
        signer=detect_signer(lines, text),
        content_hash=content_hash,
    )


# --- title and type --------------------------------------------------------------------------------
def _type_at_start(text: str) -> str | None:
    key = " ".join(index_key(text.replace("*", " ")).split())
    for doc_type in DOC_TYPES:
        if key == doc_type or key.startswith(doc_type + " ") or key.startswith(doc_type + ":"):
            return doc_type
    return None


def _clean(text: str) -> str:
    return " ".join(text.replace("**", " ").split()).strip(" :")


def detect_title(lines: Sequence[str]) -> str | None:
    """The document's heading: the first line near the top that starts with a document type.

    `lines` are the document's lines, "" for a blank line: a title goes on over the lines of its own
    block ("NGHỊ QUYẾT" / "Về kế hoạch phát triển … năm 2021") but never past a blank line.
    """
    head: list[str] = []
    for line in lines:
        if len(line) > _BODY_LINE or sum(1 for h in head if h) >= _TITLE_SCAN_LINES:
            break
        head.append(line)
    for i, line in enumerate(head):
        if not line or _type_at_start(line) is None or len(line) > 250 or _is_sentence(line):
            continue
        parts = [line]
        rest = head[i + 1:]
        if _type_at_start(line) == " ".join(index_key(line).split()) and rest[:1] == [""]:
            rest = rest[1:]  # "NGHỊ QUYẾT" / (blank) / "VỀ MỤC TIÊU, NHIỆM VỤ …": the type alone is no title
        for nxt in rest:
            if not _continues_title(nxt) or sum(len(p) for p in parts) + len(nxt) > 400:
                break
            parts.append(nxt)
        return _clean(" ".join(parts))
    for line in head:
        if line and is_caps_line(line) and len(line.split()) >= 4 and not _is_sentence(line):
            return _clean(line)
    return None


# Web-page lines above an article's headline: a site's date stamp ("date 2021-06", "Thứ Sáu, ngày 23 tháng
# 08 năm 2019, 09:25:27", "Trọng Bảo - 15:22, 15/10/2020"), a category or site name of one or two words.
_SITE_DATE = re.compile(r"^\s*date\s+((?:19|20)\d\d-\d\d(?:-\d\d)?)\b\s*", re.I)
_DATELINE = re.compile(
    r"^(?:thứ\s+\S+|chủ\s+nhật)?[,\s]*(?:ngày\s+)?\d{1,2}(?:\s+tháng\s+|[/\-.])\d{1,2}(?:\s+năm\s+|[/\-.])\d{4}"
    r"|\d{1,2}:\d{2}|^[^,]{0,40}\s-\s\d{1,2}:\d{2}",
    re.I,
)
_HEADLINE_MAX = 220
_HEADLINE_LINES = 3  # a headline opens the page; a short line further down is a caption or a subheading
_LEAD_CHARS = 160


def _without_site_date(line: str) -> str:
    return _SITE_DATE.sub("", line, count=1).strip()


def detect_headline(lines: Sequence[str]) -> str | None:
    """An article's headline: its first line that reads as one (a short line, not a sentence, not a date
    stamp); else the opening of its first sentence, cut at a word — what a reader would call it."""
    first_text = None
    seen = 0
    for line in lines[:_TITLE_SCAN_LINES]:
        line = _without_site_date(line)
        if not line or _DATELINE.search(line[:60]) and len(line) < 80:
            continue
        seen += 1
        if seen > _HEADLINE_LINES:
            break
        words = line.split()
        if first_text is None and len(words) >= 4:
            first_text = line
        if 4 <= len(words) and len(line) <= _HEADLINE_MAX and not _is_sentence(line) and not line.endswith((".", ":")):
            return _clean(line)
    if first_text is None or sum(1 for line in lines if line) < 2:
        return None  # a text of one paragraph has no headline: its first sentence is its content
    sentence = re.split(r"(?<=[.!?])\s", first_text, maxsplit=1)[0]
    if len(sentence) <= _LEAD_CHARS:
        return _clean(sentence.rstrip("."))
    cut = sentence[:_LEAD_CHARS].rsplit(" ", 1)[0]
    return _clean(cut.rstrip(",;:")) + " …"


def detect_published(lines: Sequence[str]) -> str | None:
    """The date a web page was published, from its site date stamp ("date 2021-06-24" → "2021-06-24")."""
    for line in lines[:3]:
        m = _SITE_DATE.match(line)
        if m:
            return m.group(1)
    return None


# The genre's kinds of text, read from the content when no title names a type. Order matters: an HĐND
# resolution quotes a congress; news of a congress quotes its resolution.
_HDND_RESOLUTION = re.compile(r"^\s*căn cứ\b.*$|^\s*quyết nghị\s*:?\s*$|^\s*điều 1[.:]", re.I | re.M)
_CONGRESS = re.compile(r"đại hội (?:đại biểu )?đảng bộ|đại hội đảng bộ|đại hội lần thứ|đại hội đại biểu")
_PARTY_MEETING = re.compile(r"ban thường vụ tỉnh ủy|ban thường vụ thành ủy|ban chấp hành đảng bộ|hội nghị tỉnh ủy|hội nghị thành ủy")
_COUNCIL_SESSION = re.compile(r"kỳ họp|hđnd|hội đồng nhân dân")
_REPORT_WORDS = re.compile(r"kết quả thực hiện|tình hình kinh tế - xã hội|báo cáo")


_CONGRESS_KEY = key_regex(_CONGRESS.pattern)
_PARTY_MEETING_KEY = key_regex(_PARTY_MEETING.pattern)
_COUNCIL_SESSION_KEY = key_regex(_COUNCIL_SESSION.pattern)
_REPORT_WORDS_KEY = key_regex(_REPORT_WORDS.pattern)


def detect_genre_type(text: str) -> str | None:
    """"nghị quyết" for a resolution's own text (Căn cứ … / QUYẾT NGHỊ / Điều 1); for an article, what it
    reports on: a Party congress, a Tỉnh ủy meeting, an HĐND session, or results."""
    opening = text[:_OPENING_CHARS]
    if len(_HDND_RESOLUTION.findall(opening)) >= 2:
        return "nghị quyết"
    key = index_key(opening)
    counts = {
        "tin đại hội đảng bộ": len(_CONGRESS_KEY.findall(key)),
        "tin họp tỉnh ủy": len(_PARTY_MEETING_KEY.findall(key)),
        "tin kỳ họp hđnd": len(_COUNCIL_SESSION_KEY.findall(key)),
        "tin kết quả": len(_REPORT_WORDS_KEY.findall(key)),
    }
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


def _continues_title(line: str) -> bool:
    if not line or _is_sentence(line) or _type_at_start(line) or len(line) > 250:
        return False
    if line.startswith(("(", "“", '"', "-", "–", "+", "•", "Số", "SỐ")):
        return False
    return not re.search(r"\d{1,2}[/:]\d{1,2}", line)  # a date or time line ("Thứ ba, 11/08/2020", "15:45")


def _is_sentence(line: str) -> bool:
    return bool(re.search(r"[.;!?]\s+\S", line)) or (line.rstrip().endswith(".") and len(line) > 120)


def detect_doc_type(title: str | None, text: str) -> str | None:
    """Type from the title's first words, else from "ban hành <Type> số …" in the opening."""
    if title:
        found = _type_at_start(title)
        if found:
            return found
        # "TÓM TẮT BÁO CÁO CHÍNH TRỊ …": the type right after a leading word or two.
        words = title.split()
        for skip in (1, 2):
            found = _type_at_start(" ".join(words[skip:]))
            if found:
                return found
    opening = index_key(text[:_OPENING_CHARS])
    for doc_type in DOC_TYPES:
        if re.search(rf"\bban hành {re.escape(doc_type)} số\b", opening):
            return doc_type
    return None


# --- number and date ---------------------------------------------------------------------------------
def detect_number(lines: list[str], text: str, doc_type: str | None) -> str | None:
    """"27-NQ/TU" from a "Số: …" header or "ban hành Nghị quyết số 27-NQ/TU"; a bare "100" keeps its type."""
    for line in lines[:30]:
        m = _HEADER_NUMBER.match(line)
        if m and re.search(r"[A-ZĐ/-]", m.group(1)):
            return m.group(1).rstrip(".")
    types = [doc_type] if doc_type else []
    types += [t for t in DOC_TYPES if t not in types]
    opening = text[:_OPENING_CHARS]
    for candidate in types:
        pattern = rf"ban\s+hành\s+{re.escape(candidate)}\s+số\s+({_CODE})"
        m = re.search(pattern, opening, re.I)
        if m:
            code = re.sub(r"\s+", "", m.group(1))
            if code.isdigit():
                return f"{candidate[:1].upper()}{candidate[1:]} số {code}"
            return code
    return None


def _valid_date(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _dates_in(text: str) -> list[tuple[int, str]]:
    found = []
    for pattern in (_DATE_NUMERIC, _DATE_WORDS):
        for m in pattern.finditer(text):
            iso = _valid_date(*m.groups())
            if iso:
                found.append((m.start(), iso))
    return sorted(found)


def detect_issue_date(lines: list[str], text: str, doc_type: str | None, number: str | None) -> str | None:
    """ISO date from the "…, ngày … tháng … năm …" header or the sentence that says the document was issued."""
    for line in lines[:30]:
        m = _HEADER_DATE.match(line)
        if m and (iso := _valid_date(*m.groups())):
            return iso
    opening = text[:_OPENING_CHARS]
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])", opening):
        m = re.search(r"ban\s+hành|thông\s+qua", sentence, re.I)
        if not m:
            continue
        key = index_key(sentence)
        names_it = (number is not None and index_key(number).split()[-1] in key) or (
            doc_type is not None and doc_type in key
        )
        if not names_it:
            continue
        # "… ban hành ngày 20/12/2020" names the issue date outright; otherwise the date nearest
        # before the verb ("Ngày 27-12-2019, đồng chí … đã ký ban hành …").
        right_after = _dates_in(sentence[m.end():m.end() + 30])
        if right_after and re.match(r"\s*(?:vào\s+)?ngày", sentence[m.end():], re.I):
            return right_after[0][1]
        before = [iso for pos, iso in _dates_in(sentence) if pos < m.start()]
        if before:
            return before[-1]
        after = _dates_in(sentence[m.start():])
        if after:
            return after[0][1]
    return None


# --- signer -------------------------------------------------------------------------------------------
def _is_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() and w.isalpha() for w in words) and not line.isupper()


def detect_signer(lines: list[str], text: str) -> str | None:
    """The name under the signature block, else "đồng chí X, … đã ký ban hành"."""
    for i, line in enumerate(lines):
        if not _SIGNATURE_LEAD.match(fold_diacritics(line)):
            continue
        for nxt in lines[i + 1:i + 12]:
            if _is_name(nxt):
                return nxt
            folded = fold_diacritics(nxt)
            if not (nxt.startswith(("-", "–", "+", "•")) or _SIGNATURE_LEAD.match(folded) or nxt.isupper()
                    or re.match(r"^\(?\s*(?:da\s+)?ky", folded, re.I)):
                break
    m = _COMRADE_SIGNED.search(text[:_OPENING_CHARS])
    if m:
        return m.group(1)
    return None


# --- province -----------------------------------------------------------------------------------------
def detect_province(text: str, title: str | None) -> str | None:
    """The document's own province: it must clearly outweigh every other province named."""
    scores: Counter[str] = Counter()
    for mention in find_province_mentions(text):
        scores[mention.province] += 3 if mention.anchored else 1
    if title:
        for mention in find_province_mentions(title):
            scores[mention.province] += 3
    if not scores:
        return None
    ranked = scores.most_common()
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best_score < 2 or best_score < 2 * runner_up:
        return None  # a passing mention, or several provinces with nothing to choose between them
    return best


# --- years --------------------------------------------------------------------------------------------
def _classify_segment(segment: str) -> str | None:
    key = " ".join(index_key(segment).split())
    if any(cue in key for cue in _STRONG_REPORT):
        return "report"
    if any(cue in key for cue in _PLAN_CUES):
        return "plan"
    if any(cue in key for cue in _WEAK_REPORT):
        return "report"
    return None


def _expand(first: int, last: int | None) -> list[int]:
    if last is None:
        return [first]
    if first <= last <= first + 10:
        return list(range(first, last + 1))
    return [first, last]


def years_with_cues(text: str) -> list[tuple[str | None, list[int]]]:
    """Each year (or span of years) in a heading-like text with what its preceding words say about it."""
    out = []
    previous_end = 0
    for m in _YEAR_TOKEN.finditer(text):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else None
        out.append((_classify_segment(text[previous_end:m.start()]), _expand(first, last)))
        previous_end = m.end()
    return out


def _headings(text: str, title: str | None) -> Iterable[str]:
    """Section headings and table header cells: where a document says what its parts are about."""
    seen: set[str] = set()
    for element in parse_document(text, title):
        for heading in (*element.heading_path, element.text if element.kind == "heading" else ""):
            if heading and heading not in seen:
                seen.add(heading)
                yield heading
        if element.kind == "table":
            cells = split_cells(element.lines[0])
            if looks_like_header(cells):
                yield from (c for c in cells if c)


def detect_years(text: str, title: str | None, doc_type: str | None) -> tuple[set[int], set[int]]:
    """(years planned for, years reported on) from the title and the headings."""
    plan: set[int] = set()
    report: set[int] = set()
    if title:
        for cue, years in years_with_cues(title):
            if cue is None:
                cue = "plan" if doc_type in PLAN_TYPES else "report" if doc_type in REPORT_TYPES else None
            (plan if cue == "plan" else report if cue == "report" else set()).update(years)
    for heading in _headings(text, title):
        for cue, years in years_with_cues(heading):
            if cue == "plan":
                plan.update(years)
            elif cue == "report":
                report.update(years)
    if not plan and not report:
        plan, report = _years_from_body(text)
    return plan, report


_BODY_PLAN = re.compile(rf"(?:nhiệm vụ|chỉ tiêu|kế hoạch|phương hướng|mục tiêu)(?:\s+\S+){{0,3}}?\s+năm\s+({_YEAR})(?![\d\-–])", re.I)
_BODY_REPORT = re.compile(rf"(?:kết quả|thực hiện)(?:\s+\S+){{0,3}}?\s+năm\s+({_YEAR})(?![\d\-–])", re.I)


def _years_from_body(text: str) -> tuple[set[int], set[int]]:
    """Without a usable title or headings: years the opening repeatedly plans for or reports on."""
    opening = index_key(text[:_OPENING_CHARS])
    plan = {int(y) for y, n in Counter(_BODY_PLAN.findall(opening)).items() if n >= 2}
    report = {int(y) for y, n in Counter(_BODY_REPORT.findall(opening)).items() if n >= 2}
    return plan, report
