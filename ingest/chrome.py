"""Lines that are not the document: page furniture (page numbers, running headers; PDFs only), web-page
chrome (menus, log-in, font-size widgets, visit counters, share buttons, related links, cookie notices,
copyright and contact footers) and separator lines.

Every rule is a line-level rule about the *shape* of a line, never about a particular document.
"""

from __future__ import annotations

import re
from collections import Counter

from core.genre import DOC_TYPES_FOLDED
from ingest.textlines import TextLine, ends_sentence, fold, is_caps, is_table_row, starts_lower

# --- web-page chrome ---------------------------------------------------------------------------------
# Matched against the folded line (lower case, no diacritics, bullets stripped), so "Đăng nhập",
# "DANG NHAP" and "dang nhap" are caught alike. Each rule names one kind of furniture that Vietnamese
# web sites share, in the words they all use; none names a site. STRONG kinds never occur in a
# resolution and are removed anywhere; WEAK ones (site name, contact details, menu words, bare
# counters) only inside a header or footer zone that also holds other chrome.
_STRONG_KINDS = {
    "account": r"""(?:dang\ nhap|dang\ ky|dang\ xuat|quen\ mat\ khau|tai\ khoan|log\ ?in|log\ ?out|sign\ in|sign\ up
        |register)(?:\s*[/|]\s*(?:dang\ ky|dang\ nhap|register|sign\ up))?\s*:?""",
    "font size": r"xem\ voi\ co\ chu.{0,20} | co\ chu\s*:?(?:\s*a[-+]?){0,3} | (?:a[-+]?\s*){2,3}",
    "visit counter": r"""(?:thong\ ke\ (?:luot\ )?truy\ cap|(?:tong\ )?(?:so\ )?luot\ (?:truy\ cap|xem)|so\ lan\ xem
        |dang\ truy\ cap|dang\ online|truc\ tuyen|online|tong\ truy\ cap|truy\ cap|visitors?|page\ ?views?)
        (?:\s*:?\s*\d[\d .,]*)?""",
    # One or several buttons or link labels on a line: "Chia sẻ | Facebook | Zalo | In bài", "Xem thêm".
    "buttons": r"(?:{b})(?:\s*[:|/·•,-]?\s*(?:{b}))*\s*:?\s*(?:\(\d+\))?",
    "tags": r"(?:tu\ khoa|tags?|the)\s*:.{0,100}",
    "breadcrumb": r"trang\ chu(?:\s*[>»›/|].*)?",
    "copyright": r"""(?:©|\(c\)|copyright\b|ban\ quyen\ (?:thuoc|©|\d)|ban\ quyen\s*:).{0,200}
        | .{0,160}\b(?:all\ rights\ reserved|giu\ ban\ quyen)\b.{0,80}
        | ghi\ ro\ nguon.{0,120}(?:phat\ hanh\ lai|website|trang\ tin|cong\ thong\ tin|su\ dung\ lai).{0,80}""",
    "credits": r"""(?:thiet\ ke|phat\ trien|xay\ dung|van\ hanh)(?:\ va\ (?:phat\ trien|van\ hanh))?\ boi\b.{0,80}
        | powered\ by\b.{0,80}""",
    # Vietnamese news sites must print their licence and the person responsible for the content.
    "licence": r"""(?:giay\ phep|gpxb|gp)\ (?:so|xuat\ ban|hoat\ dong|thiet\ lap).{0,150}
        | chiu\ trach\ nhiem\ (?:chinh|noi\ dung|xuat\ ban|quan\ ly\ noi\ dung).{0,100}""",
    "cookie notice": r".{0,160}\bcookies?\b.{0,200}",
}
_LINK_LABELS = r"""tin\ lien\ quan|(?:cac\ )?tin\ khac|tin\ cung\ chuyen\ muc|(?:cac\ )?bai\ viet\ (?:lien\ quan|khac
    |cung\ chuyen\ muc)|tin\ moi(?:\ nhat)?|tin\ doc\ nhieu(?:\ nhat)?|tin\ (?:da|cu)\ dua|xem\ them|doc\ them|xem\ tiep
    |co\ the\ ban\ quan\ tam"""
_BUTTON_WORDS = r"""in\ bai(?:\ viet)?|in\ trang|ban\ in|in|gui\ (?:email|e-mail|mail|bai\ viet|cho\ ban\ be|ban\ be)
    |chia\ se(?:\ bai\ viet)?|share|facebook|zalo|twitter|tweet|linkedin|email|e-mail|luu\ bai(?:\ viet)?|quay\ lai
    |tro\ ve|tro\ lai|(?:ve|len)\ dau\ trang|dau\ trang|binh\ luan|y\ kien\ ban\ doc|gui\ (?:y\ kien|binh\ luan)|like
    |thich|rss|top|phan\ hoi|danh\ gia\ bai\ viet|""" + _LINK_LABELS
_WEAK_KINDS = {
    "site name": r"""(?:cong|trang)\ thong\ tin\ dien\ tu\b.{0,80} | trang\ tin\ (?:dien\ tu|tong\ hop)\b.{0,80}
        | (?:website|web\ site|bao\ dien\ tu|tap\ chi\ dien\ tu)\b.{0,80}""",
    "contact": r"""(?:dia\ chi|tru\ so|dien\ thoai|dt|tel|fax|e-?mail|hotline|duong\ day\ nong|website|web)\s*:.{0,150}
        | [\w.+-]+@[\w-]+(?:\.[\w-]+)+ | (?:https?://|www\.)\S+ | (?:\(?\+?84\)?|0)[\d .()-]{8,16}""",
    "masthead": r"(?:truong\ ban\ bien\ tap|(?:pho\ )?tong\ bien\ tap|ban\ bien\ tap|co\ quan\ chu\ quan)\b.{0,100}",
    # A bare "label: number" line ("Hôm nay: 3569", "Tất cả: 8822748") is a counter when it sits in the footer.
    "counter row": r"[a-z]+(?:\ [a-z]+){0,2}\s*:\s*\d[\d .,]*",
    "menu": r"""lien\ he|gioi\ thieu|so\ do\ (?:trang|site|website|cong)|tim\ kiem|thong\ bao|lich\ cong\ tac|van\ ban
        |hoi\ dap|dong\ y|chap\ nhan|tu\ choi|accept""",
}


def _alternatives(kinds: dict[str, str]) -> re.Pattern[str]:
    body = "\n      | ".join(f"(?:{rule.replace('{b}', _BUTTON_WORDS)})" for rule in kinds.values())
    return re.compile(rf"^(?:{body})$", re.VERBOSE)


_STRONG_CHROME = _alternatives(_STRONG_KINDS)
_WEAK_CHROME = _alternatives(_WEAK_KINDS)
_LINK_LABEL = re.compile(rf"^(?:{_LINK_LABELS})\s*:?$", re.VERBOSE)
# A menu bar flattened to one line: "Trang chủ | Giới thiệu | Tin tức - Sự kiện | Liên hệ".
_MENU_SEPARATOR = re.compile(r"\s+[|»›>·•]\s+|\s*\|\s*")
_TITLE_WORDS = re.compile(rf"\b(?:{DOC_TYPES_FOLDED}|(?:19|20)\d\d)\b")
SEPARATOR = re.compile(r"^[\s\-_=*~.·•#+|/\\]{3,}$")
_CHROME_MAX_CHARS = 240


def _chrome_kind(line: str) -> str | None:
    """'strong', 'weak' or None for one stripped line."""
    if len(line) > _CHROME_MAX_CHARS or is_table_row(line):
        return None
    folded = fold(line)
    if not folded:
        return None
    if _STRONG_CHROME.match(folded) or _is_menu_bar(line):
        return "strong"
    if _WEAK_CHROME.match(folded):
        return "weak"
    return None


def _is_menu_bar(line: str) -> bool:
    """Three or more short labels between bars or arrows, none of them a figure or a sentence."""
    if line.startswith("|") or line.endswith("|"):
        return False  # a Markdown table row
    items = _MENU_SEPARATOR.split(line)
    return len(items) >= 3 and all(
        1 <= len(item.split()) <= 4 and not any(ch.isdigit() for ch in item) and not ends_sentence(item)
        for item in items
    )


def _is_headline(line: str) -> bool:
    """A linked headline in a list of related articles: short, and not a sentence of the document."""
    return len(line) <= 160 and not is_table_row(line) and not ends_sentence(_DATE_SUFFIX.sub("", line))


_DATE_SUFFIX = re.compile(r"\s*[(\[]?\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?:\s+\d{1,2}:\d{2})?[)\]]?\s*$")


def _is_content(line: str) -> bool:
    """A line that is plainly part of the document (stops a header/footer zone)."""
    return is_table_row(line) or len(line) > 200 or (len(line) >= 100 and ends_sentence(line))


_FIELD = re.compile(r"^[^\W\d_][^:]{1,25}:\s")  # "Chức vụ: …", "Đơn vị: …" — a contact-card field


def _is_field(line: str) -> bool:
    return bool(_FIELD.match(line)) and len(line) <= 100


def _looks_like_title(line: str) -> bool:
    return bool(_TITLE_WORDS.search(fold(line)))


_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]?\s*\d{1,4}\s*[-–—]?|trang\s+\d{1,4}(?:\s*(?:/|trên|tren)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?)$",
    re.IGNORECASE,
)


def drop_page_furniture(pages: list[list[str]]) -> None:
    """Remove page numbers and running headers/footers: the first/last lines repeated on many pages."""
    def edges(lines: list[str]) -> list[int]:
        idx = [i for i, ln in enumerate(lines) if ln]
        return [idx[0], idx[-1]] if len(idx) >= 2 else idx

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.lower())

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({key(lines[i]) for i in edges(lines) if not is_table_row(lines[i])})
    threshold = max(2, (len(pages) + 1) // 2)
    for lines in pages:
        for i in edges(lines):
            line = lines[i]
            if is_table_row(line):
                continue
            running = len(line) <= 100 and not ends_sentence(line) and counts[key(line)] >= threshold
            if _PAGE_NUMBER.match(line) or running:
                lines[i] = ""


def drop_chrome(lines: list[TextLine]) -> list[TextLine]:
    kinds = [_chrome_kind(ln.text) for ln in lines]
    middle = len(lines) // 2
    header, footer = range(min(middle + 1, 25)), range(len(lines) - 1, max(middle, len(lines) - 41), -1)
    _mark_repeated(lines, kinds, header, footer)
    drop = {i for i, k in enumerate(kinds) if k == "strong"}
    # Related links follow the article: look for them after its last sentence, or in the second half.
    last_sentence = max((i for i, ln in enumerate(lines) if kinds[i] is None and ends_sentence(ln.text)), default=-1)
    drop |= _link_lists(lines, range(min(middle, last_sentence + 1), len(lines)))
    # The header zone lives in the first half of the document, the footer zone in the second half,
    # so a short page of nothing but short lines is never taken for one big footer.
    drop |= _zone(lines, kinds, header, header=True)
    drop |= _zone(lines, kinds, footer, header=False)
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


def _mark_repeated(lines: list[TextLine], kinds: list[str | None], header: range, footer: range) -> None:
    """A short label printed both above and below the text (site name, menu) is the site's, not the document's."""

    def label(i: int) -> bool:
        text = lines[i].text
        glued = i + 1 < len(lines) and lines[i + 1].gap == "line" and starts_lower(lines[i + 1].text)
        return (
            len(text) <= 60 and not any(ch.isdigit() for ch in text) and not ends_sentence(text)
            and not text.endswith((",", ";")) and not starts_lower(text) and not glued
            and not _looks_like_title(text)
        )

    top = {lines[i].text: i for i in header if label(i)}
    for i in footer:
        if kinds[i] is None and lines[i].text in top and label(i):
            kinds[i] = kinds[top[lines[i].text]] = "weak"


def _link_lists(lines: list[TextLine], order: range) -> set[int]:
    """The headlines listed under "Tin liên quan" / "Xem thêm": links to other pages."""
    drop: set[int] = set()
    for i in order:
        if not _LINK_LABEL.match(fold(lines[i].text)):
            continue
        j = i + 1
        while j < len(lines) and _is_headline(lines[j].text):
            drop.add(j)
            j += 1
    return drop


def _wider(a: str | None, b: str) -> str:
    order = {"line": 0, "blank": 1, "page": 2}
    return b if a is None or order[b] >= order[a] else a


def _zone(lines: list[TextLine], kinds: list[str | None], order: range, *, header: bool) -> set[int]:
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
        short = len(text) <= 120 and not _looks_like_title(text) and (not ends_sentence(text) or _is_field(text))
        if prev_c and next_c and short:
            drop.add(idx)  # a breadcrumb or label wedged between two chrome lines
        elif not header and n > positions[min(chrome)] and short and all(
            kinds[j] or j in drop for j in ordered[positions[min(chrome)] : n]
        ):
            drop.add(idx)  # footer lines after the footer started: site owner, editor's title
        elif (
            not header and next_c and ordered[n + 1] == min(chrome) and lines[ordered[n + 1]].gap == "line"
            and len(lines[idx].text) <= 40 and is_caps(lines[idx].text)
        ):
            drop.add(idx)  # a menu label glued to the first footer line ("TIN TỨC" above "Đăng nhập")
    return drop
