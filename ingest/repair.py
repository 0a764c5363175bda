"""Generic text repair for every format: what a loader returns → clean, readable, citable text.

Steps, in order: Unicode NFC and invisible characters; markup that leaked into the text (`<i>…</i>`,
`<br>`, entities, Markdown emphasis); page furniture (page numbers, running headers; PDFs only);
web-page chrome (navigation, log-in, font-size widgets, visit counters, share buttons, footers);
separator lines; then line joining — hard-wrapped lines, sentences broken across a paragraph or page
break ("mục\\n\\ntiêu"), line-break hyphens — without ever gluing a heading, list item or table row
to its neighbour. Tone-mark style is left exactly as written (hoà stays hoà); index keys are made
elsewhere (`core.vietnamese.index_key`). Tabs inside table rows are kept.

Every rule is a line-level rule about the *shape* of a line, never about a particular document.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ingest.encoding import is_vietnamese_syllable
from ingest.models import Page
from core.vietnamese import fold_diacritics

# --- characters ----------------------------------------------------------------------------------
_NEWLINES = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")


def _normalise_chars(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if "\r" in text or _NEWLINES.search(text):
        text = _NEWLINES.sub("\n", text)
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    text = _SOFT_HYPHEN_BREAK.sub("", text)  # a soft hyphen at a line end marks a word split by the typesetter
    return _CONTROLS.sub("", text.replace("\u00ad", ""))


# --- leaked markup ---------------------------------------------------------------------------------
_SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^<>]{0,500}>.{0,200000}?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAGS = r"br|p|div|li|tr|h[1-6]|ul|ol|table|tbody|thead|tfoot|section|article|blockquote|hr|center|dd|dt|dl|pre"
_INLINE_TAGS = (
    r"i|b|u|s|em|strong|span|font|a|sup|sub|small|big|strike|mark|ins|del|abbr|cite|code|q|td|th|label|o:p|"
    r"script|style|noscript|iframe|img|meta|link|input|button"
)
_TAG = re.compile(
    rf"</?(?:({_BLOCK_TAGS})|{_INLINE_TAGS})(?:\s[^<>]{{0,500}})?\s*/?>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot|apos|ndash|mdash|hellip|laquo|raquo|ldquo|rdquo|lsquo|rsquo|#\d{1,6}|#x[0-9a-fA-F]{1,5});")
# Markdown emphasis left by a conversion (**bold**, *italic*): opening marker before a letter or
# quote, closing marker after a non-space, within one paragraph. A bullet "* item" never matches.
_BOLD = re.compile(r"(?<![\w*])\*\*(?=[^\s*])([^*]{1,2000}?)(?<=[^\s*])\*\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\W\d_]|[“\"‘(])([^*]{1,2000}?)(?<=[^\s*])\*(?![\w*])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _unwrap(match: re.Match[str]) -> str:
    inner = match.group(1)
    return match.group(0) if _BLANK_LINE.search(inner) else inner  # never across a paragraph break


def _strip_markup(text: str) -> str:
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        text = _SPACES.sub(" ", text)
    if "<" in text:
        text = _SCRIPT_BLOCK.sub("\n", text)
        text = "\n".join(_strip_tags(line) if "<" in line else line for line in text.split("\n"))
    if "*" in text:
        text = _BOLD.sub(_unwrap, text)
        text = _ITALIC.sub(_unwrap, text)
    return text


def _strip_tags(line: str) -> str:
    # In a table row a block tag must not break the row into several lines.
    block_sep = " " if "\t" in line else "\n"
    return _TAG.sub(lambda m: block_sep if m.group(1) else "", line)


# --- line shapes -------------------------------------------------------------------------------------
_MARKER = re.compile(
    r"""^(?:
        [-–—•·*+▪►●○◦■□❖✓√>](?=\s|[^\W\d_]|\()          # bullets
      | \(?\d{1,3}(?:\.\d{1,3})*\s*[.)\-–:](?=\s|$)     # 1.  1)  1-  1.1.  (1)
      | \(\d{1,3}\)
      | \d{1,2}(?:\.\d{1,2})+\.?(?=\s)                 # 1.1  2.3.4
      | \(?[a-zđ][).](?=\s)                             # a)  a.  (b)
      | [IVXLC]{1,7}\s*[.\-–):](?=\s|$)                 # I.  II-  IV)
      | [A-ZĐ]\s*[.\-–)](?=\s)                          # A.  B-
      | (?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU)\s+(?:thứ|THỨ|[IVXLC\d]+\b)
      | (?:Phụ\s+lục|PHỤ\s+LỤC)\b
    )""",
    re.VERBOSE,
)
_CLOSERS = "\"”’'»)]*"
_TERMINAL = ".!?:…"


def _is_table_row(line: str) -> bool:
    return line.count("\t") >= 2 or "\t" in line.strip()


def _is_marker(line: str) -> bool:
    return bool(_MARKER.match(line))


def _is_caps(line: str) -> bool:
    if len(line) > 300:
        return False  # headings are short; this also keeps a 5 MB line cheap
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _first_letter(line: str) -> str:
    for ch in line:
        if ch.isalnum():
            return ch
        if ch not in "(“\"‘'[«":
            return ""
    return ""


def _starts_lower(line: str) -> bool:
    first = _first_letter(line)
    return bool(first) and first.islower()


# --- web-page chrome ---------------------------------------------------------------------------------
# Matched against the folded line (lower case, no diacritics, bullets stripped), so "Đăng nhập",
# "DANG NHAP" and "Chung nhan Tin Nhiem Mang" are caught alike. STRONG rules describe lines that never
# occur in a resolution and are removed anywhere; WEAK ones (site name, address, phone) only inside a
# header or footer zone that also holds other chrome.
_STRONG_CHROME = re.compile(
    r"""^(?:
        (?:dang\ nhap|dang\ ky|dang\ xuat|quen\ mat\ khau|tai\ khoan|log\ ?in|log\ ?out|sign\ in|register)
            (?:\s*[/|]\s*(?:dang\ ky|dang\ nhap|register|sign\ up))?\s*:?
      | xem\ voi\ co\ chu.{0,20} | co\ chu\s*:?(?:\s*a[-+]?){0,3} | (?:a[-+]?\s*){2,3}
      | (?:thong\ ke\ truy\ cap|thong\ ke\ luot\ truy\ cap|luot\ truy\ cap|so\ luot\ truy\ cap
          |tong\ (?:so\ )?luot\ truy\ cap|luot\ xem|so\ lan\ xem|dang\ truy\ cap|dang\ online|truc\ tuyen)
            (?:\s*:?\s*[\d][\d .,]*)?
      | (?:dang\ online|dang\ truy\ cap|online|truc\ tuyen|tong\ truy\ cap|truy\ cap|visitors?)\s*:\s*\d[\d .,]*
      | (?:in\ bai(?:\ viet)?|in\ trang|ban\ in|in|gui\ (?:email|e-mail|mail|bai\ viet|cho\ ban\ be|ban\ be)
          |chia\ se(?:\ bai\ viet)?|share|facebook|zalo|twitter|tweet|linkedin|email|e-mail|luu\ bai(?:\ viet)?
          |quay\ lai|tro\ ve|tro\ lai|ve\ dau\ trang|len\ dau\ trang|dau\ trang|xem\ them|doc\ them|xem\ tiep
          |tin\ lien\ quan|tin\ khac|cac\ tin\ khac|tin\ cung\ chuyen\ muc|bai\ viet\ lien\ quan|tin\ moi(?:\ nhat)?
          |tin\ doc\ nhieu(?:\ nhat)?|binh\ luan|y\ kien\ ban\ doc|gui\ y\ kien|gui\ binh\ luan|like|thich
          |rss|top|phan\ hoi|danh\ gia\ bai\ viet|bai\ viet\ cung\ chuyen\ muc|cac\ bai\ viet\ khac)
            \s*:?\s*(?:\(\d+\))?
      | (?:tu\ khoa|tags?|the)\s*:.{0,100}
      | trang\ chu(?:\s*[>»›/|].*)?
      | .{0,40}chung\ nhan\ tin\ nhiem\ mang.{0,40}
      | (?:©|\(c\)|copyright\b|ban\ quyen\ (?:thuoc|©)).{0,200}
      | ghi\ ro\ nguon.{0,120}(?:phat\ hanh\ lai|website|trang\ tin|cong\ thong\ tin|su\ dung\ lai).{0,80}
      | (?:thiet\ ke|phat\ trien|xay\ dung|van\ hanh)\ (?:boi|va\ van\ hanh\ boi)\b.{0,80}
      | powered\ by\b.{0,80}
      | (?:giay\ phep|gpxb|gp)\ (?:so|xuat\ ban|hoat\ dong|thiet\ lap).{0,150}
      | chiu\ trach\ nhiem\ (?:chinh|noi\ dung|xuat\ ban|quan\ ly\ noi\ dung).{0,100}
    )$""",
    re.VERBOSE,
)
_WEAK_CHROME = re.compile(
    r"""^(?:
        (?:cong|trang)\ thong\ tin\ dien\ tu\b.{0,80}
      | trang\ tin\ (?:dien\ tu|tong\ hop)\b.{0,80}
      | (?:website|web\ site|bao\ dien\ tu|tap\ chi\ dien\ tu)\b.{0,80}
      | (?:dia\ chi|tru\ so|dien\ thoai|dt|tel|fax|e-?mail|hotline|duong\ day\ nong|website|web)\s*:.{0,150}
      | (?:truong\ ban\ bien\ tap|tong\ bien\ tap|pho\ tong\ bien\ tap|ban\ bien\ tap|co\ quan\ chu\ quan)\b.{0,100}
      | (?:hom\ nay|hom\ qua|trong\ tuan|tuan\ nay|tuan\ truoc|trong\ thang|thang\ nay|thang\ truoc
          |tat\ ca|thanh\ vien|khach|members?|guests?|today)\s*:\s*\d[\d .,]*
      | (?:lien\ he|gioi\ thieu|so\ do\ (?:trang|site|website|cong)|tim\ kiem|thong\ bao|lich\ cong\ tac|van\ ban|hoi\ dap)
    )$""",
    re.VERBOSE,
)
_BULLET_PREFIX = re.compile(r"^[\s•·*\-–—▪►●○◦■□|>»]+")
_TITLE_WORDS = re.compile(
    r"\b(?:nghi quyet|bao cao|ke hoach|chi thi|quyet dinh|tai lieu|chuong trinh|de an|ket luan|huong dan|"
    r"thong tri|cong van|to trinh|(?:19|20)\d\d)\b"
)
_SEPARATOR = re.compile(r"^[\s\-_=*~.·•#+|/\\]{3,}$")
_CHROME_MAX_CHARS = 240


def _fold(line: str) -> str:
    folded = fold_diacritics(line).lower()
    return re.sub(r"\s+", " ", _BULLET_PREFIX.sub("", folded)).strip()


def _chrome_kind(line: str) -> str | None:
    """'strong', 'weak' or None for one stripped line."""
    if len(line) > _CHROME_MAX_CHARS or _is_table_row(line):
        return None
    folded = _fold(line)
    if not folded:
        return None
    if _STRONG_CHROME.match(folded):
        return "strong"
    if _WEAK_CHROME.match(folded):
        return "weak"
    return None


def _is_content(line: str) -> bool:
    """A line that is plainly part of the document (stops a header/footer zone)."""
    return _is_table_row(line) or len(line) > 200 or (len(line) >= 100 and _ends_sentence(line))


_FIELD = re.compile(r"^[^\W\d_][^:]{1,25}:\s")  # "Chức vụ: …", "Đơn vị: …" — a contact-card field


def _is_field(line: str) -> bool:
    return bool(_FIELD.match(line)) and len(line) <= 100


def _looks_like_title(line: str) -> bool:
    return bool(_TITLE_WORDS.search(_fold(line)))


# --- the line model ------------------------------------------------------------------------------------
@dataclass
class _Line:
    text: str
    page: int           # index into the page list
    gap: str = "line"   # what separates it from the previous kept line: "line", "blank" or "page"


@dataclass
class _Para:
    segments: list[tuple[str, int]]      # (text, page index); joined with the recorded separators
    separators: list[str] = field(default_factory=list)
    gap: str = "line"
    last_raw: str = ""


def repair_text(text: str) -> str:
    """Repair one text (a whole .txt/.docx/.html document)."""
    return _repair([text], page_furniture=False)[0]


def repair_pages(pages: list[Page]) -> list[Page]:
    """Repair page-wise; a sentence broken across a page boundary is moved whole onto the page where it starts.

    Pages whose text becomes empty (blank or furniture-only pages) are dropped; the others keep their numbers.
    """
    # Numbered pages come from a PDF, whose lines are hard-wrapped even when there are only a few.
    paged = any(p.page is not None for p in pages)
    texts = _repair([p.text for p in pages], page_furniture=len(pages) > 1, min_wrapped_lines=6 if paged else 12)
    return [Page(text, page.page) for page, text in zip(pages, texts, strict=True) if text]


def _repair(texts: list[str], *, page_furniture: bool, min_wrapped_lines: int = 12) -> list[str]:
    pages = [_clean_lines(t) for t in texts]
    if page_furniture:
        _drop_page_furniture(pages)
    lines = _flatten(pages)
    lines = _drop_chrome(lines)
    lines = [ln for ln in lines if not _SEPARATOR.match(ln.text) or _is_table_row(ln.text)]
    lines = _drop_repeats(lines)
    paras = _join(lines, _wrap_width(lines, min_wrapped_lines))
    return _render(paras, len(texts))


_RUNS_OF_SPACE = re.compile(r"[ \t]{2,}|\t")


def _clean_lines(text: str) -> list[str]:
    """Normalised lines of one page; blank lines kept as "" (they separate paragraphs)."""
    text = _strip_markup(_normalise_chars(text))
    out = []
    for line in text.split("\n"):
        if _is_table_row(line):
            out.append(line.strip(" "))  # leading/trailing tabs are empty cells: keep them
        else:
            out.append(_RUNS_OF_SPACE.sub(" ", line).strip())
    return out


_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|trang\s+\d{1,4}(?:\s*(?:/|trên|tren)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?)$",
    re.IGNORECASE,
)


def _drop_page_furniture(pages: list[list[str]]) -> None:
    """Remove page numbers and running headers/footers: the first/last lines repeated on many pages."""
    def edges(lines: list[str]) -> list[int]:
        idx = [i for i, ln in enumerate(lines) if ln]
        return [idx[0], idx[-1]] if len(idx) >= 2 else idx

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.lower())

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({key(lines[i]) for i in edges(lines) if not _is_table_row(lines[i])})
    threshold = max(2, (len(pages) + 1) // 2)
    for lines in pages:
        for i in edges(lines):
            line = lines[i]
            if _is_table_row(line):
                continue
            running = len(line) <= 100 and not _ends_sentence(line) and counts[key(line)] >= threshold
            if _PAGE_NUMBER.match(line) or running:
                lines[i] = ""


def _flatten(pages: list[list[str]]) -> list[_Line]:
    out: list[_Line] = []
    for index, lines in enumerate(pages):
        gap = "page" if index else "line"
        for line in lines:
            if not line:
                if gap == "line":
                    gap = "blank"
                continue
            out.append(_Line(line, index, gap))
            gap = "line"
    return out


def _drop_chrome(lines: list[_Line]) -> list[_Line]:
    kinds = [_chrome_kind(ln.text) for ln in lines]
    drop = {i for i, k in enumerate(kinds) if k == "strong"}
    # The header zone lives in the first half of the document, the footer zone in the second half,
    # so a short page of nothing but short lines is never taken for one big footer.
    middle = len(lines) // 2
    drop |= _zone(lines, kinds, range(min(middle + 1, 25)), header=True)
    drop |= _zone(lines, kinds, range(len(lines) - 1, max(middle, len(lines) - 41), -1), header=False)
    kept = []
    pending_gap: str | None = None
    for i, line in enumerate(lines):
        if i in drop:
            pending_gap = _wider(pending_gap, line.gap)
            continue
        if pending_gap is not None:
            line.gap = _wider(pending_gap, line.gap)
            pending_gap = None
        kept.append(line)
    return kept


def _wider(a: str | None, b: str) -> str:
    order = {"line": 0, "blank": 1, "page": 2}
    return b if a is None or order[b] >= order[a] else a


def _zone(lines: list[_Line], kinds: list[str | None], order: range, *, header: bool) -> set[int]:
    """Chrome lines at the top or bottom of a page-like document, and the short lines wedged between them."""
    zone: list[int] = []
    for i in order:
        if _is_content(lines[i].text) and kinds[i] is None:
            break
        zone.append(i)
    chrome = [i for i in zone if kinds[i]]
    if not chrome or (not header and len(chrome) < 2):
        return set()
    if not header and len(chrome) / len(zone) < 0.4:
        return set()
    if header and not any(kinds[i] == "strong" for i in chrome) and len(chrome) < 2 and zone[0] != chrome[0]:
        return set()  # a lone site-name-like line in the middle of a title block stays
    drop = set(chrome)
    ordered = sorted(zone)
    positions = {idx: n for n, idx in enumerate(ordered)}
    for idx in ordered:
        if kinds[idx]:
            continue
        n = positions[idx]
        prev_c = n > 0 and kinds[ordered[n - 1]] is not None
        next_c = n + 1 < len(ordered) and kinds[ordered[n + 1]] is not None
        text = lines[idx].text
        # Labels, breadcrumbs and names are short; a title or a sentence is never taken for chrome.
        short = len(text) <= 120 and not _looks_like_title(text) and (not _ends_sentence(text) or _is_field(text))
        if prev_c and next_c and short:
            drop.add(idx)  # a breadcrumb or label wedged between two chrome lines
        elif not header and n > positions[min(chrome)] and short and all(
            kinds[j] or j in drop for j in ordered[positions[min(chrome)] : n]
        ):
            drop.add(idx)  # footer lines after the footer started: site owner, editor's title
        elif (
            not header and next_c and ordered[n + 1] == min(chrome) and lines[ordered[n + 1]].gap == "line"
            and len(lines[idx].text) <= 40 and _is_caps(lines[idx].text)
        ):
            drop.add(idx)  # a menu label glued to the first footer line ("TIN TỨC" above "Đăng nhập")
    return drop


def _drop_repeats(lines: list[_Line]) -> list[_Line]:
    """A line repeated right after itself (a web page's <title> and <h1>) is kept once."""
    out: list[_Line] = []
    for line in lines:
        if out and line.text == out[-1].text and len(line.text) >= 20 and not _is_table_row(line.text):
            continue
        out.append(line)
    return out


def _wrap_width(lines: list[_Line], min_lines: int) -> int | None:
    """Line width of hard-wrapped text (PDF, e-mail), or None when lines are whole paragraphs."""
    lengths = sorted(len(ln.text) for ln in lines if not _is_table_row(ln.text))
    if len(lengths) < min_lines:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 160 or width < 50:
        return None
    # Wrapped text has a ragged but tight right margin: most lines end close to the widest ones.
    full = sum(1 for n in lengths if n >= 0.75 * width)
    return width if full / len(lengths) >= 0.5 else None


def _join(lines: list[_Line], width: int | None) -> list[_Para]:
    paras: list[_Para] = []
    for line in lines:
        if paras:
            para = paras[-1]
            glue = None if _ends_title(para, line) else _glue(para.last_raw, line, width)
            if glue is not None:
                separator, drop_hyphen = glue
                if drop_hyphen:
                    text, page = para.segments[-1]
                    para.segments[-1] = (text[:-1], page)
                para.separators.append(separator)
                para.segments.append((line.text, line.page))
                para.last_raw = line.text
                continue
        paras.append(_Para([(line.text, line.page)], gap=line.gap, last_raw=line.text))
    return paras


# How a document's title block starts: a document type ("Nghị quyết …"), or the "về …" line that
# follows a capitals "NGHỊ QUYẾT" heading.
_DOC_TITLE = re.compile(
    r"^(?:nghi quyet|bao cao|ke hoach|chi thi|quyet dinh|tai lieu|chuong trinh|de an|ket luan|huong dan|"
    r"thong tri|to trinh|thong bao|de cuong|ve )\b"
)


def _ends_title(para: _Para, line: _Line) -> bool:
    """Whether `line` starts the body after the document's title block.

    A first-page block of at most three lines, starting with a document type or "về …" and ending
    without punctuation, followed by a capitalised line, is the title ("Nghị quyết … về nhiệm vụ năm
    2020" / "Với mục tiêu …"): in a PDF a full-width title line would otherwise run into the first
    paragraph, and the metadata would lose the title and the years it names.
    """
    texts = [text for text, _ in para.segments]
    return (
        line.page == 0
        and len(texts) <= 3
        and sum(len(t) for t in texts) <= 400
        and not any(_ends_sentence(t) for t in texts)
        and bool(_DOC_TITLE.match(_fold(texts[0])))
        and not _starts_lower(line.text)
        and bool(_first_letter(line.text))
    )


_HYPHEN_END = re.compile(r"([^\W\d_]+)-$")


def _glue(prev: str, line: _Line, width: int | None) -> tuple[str, bool] | None:
    """How `line` continues the paragraph whose last line is `prev`: (separator, drop prev's hyphen), or None."""
    text = line.text
    if _is_table_row(prev) or _is_table_row(text) or _is_marker(text) or not _first_letter(text):
        return None
    wrapped = width is not None and line.gap != "blank"
    full = wrapped and width is not None and len(prev) >= 0.6 * width
    if _is_caps(text) or _is_caps(prev):
        if full and _is_caps(text) and _is_caps(prev) and not _ends_sentence(prev):
            return " ", False  # a capitals heading wrapped over two lines
        return None
    if _ends_sentence(prev):
        # Hard-wrapped text: a *full* line ending a sentence is mid-paragraph; a short one ends it.
        if full and width is not None and len(prev) >= 0.85 * width and not prev.rstrip(_CLOSERS).endswith(":"):
            return " ", False
        return None
    if _starts_lower(text) or full:
        hyphen = _HYPHEN_END.search(prev)
        if hyphen:
            return _dehyphenate(hyphen.group(1), text)
        return " ", False
    return None


def _dehyphenate(left: str, line: str) -> tuple[str, bool]:
    """A line-end hyphen inside one syllable was put there by the typesetter ("tri-/ển" → "triển");
    between two whole words it is a real hyphen or dash and stays ("Ê-/đê", "Covid-/19", "phát-/triển")."""
    match = re.match(r"[^\W\d_]+", line)
    right = match.group(0) if match else ""
    if right and is_vietnamese_syllable(left + right):
        return "", True
    return "", False


_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*(?=\s+[\"“‘(]?[^\W\d_]|\s*$)")


def _render(paras: list[_Para], page_count: int) -> list[str]:
    """Text per page. A paragraph that runs onto the next page stays on its first page up to the end
    of the sentence that crosses the boundary; the rest of it opens the next page."""
    out: list[list[str]] = [[] for _ in range(page_count)]

    def emit(page: int, text: str, gap: str) -> None:
        if out[page] and gap == "blank":
            out[page].append("")
        out[page].append(text)

    for para in paras:
        first_page = para.segments[0][1]
        text = para.segments[0][0]
        boundary = None
        for separator, (segment, page) in zip(para.separators, para.segments[1:], strict=True):
            if page != first_page and boundary is None:
                boundary = (len(text) + len(separator), page)
            text += separator + segment
        if boundary is None:
            emit(first_page, text, para.gap)
            continue
        offset, next_page = boundary
        end = _SENTENCE_END.search(text, offset)
        if end is None or end.end() >= len(text.rstrip()):
            emit(first_page, text, para.gap)
            continue
        later_pages = [p for (seg, p), start in _segment_starts(para) if start <= end.end()]
        emit(first_page, text[: end.end()].rstrip(), para.gap)
        emit(later_pages[-1] if later_pages else next_page, text[end.end():].strip(), "line")
    return ["\n".join(lines).strip("\n") for lines in out]


def _segment_starts(para: _Para) -> list[tuple[tuple[str, int], int]]:
    starts = []
    offset = 0
    for i, segment in enumerate(para.segments):
        if i:
            offset += len(para.separators[i - 1])
        starts.append((segment, offset))
        offset += len(segment[0])
    return starts
