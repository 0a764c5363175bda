"""Lines that are not the document: page furniture (page numbers, running headers; PDFs only), web-page
chrome (navigation, log-in, font-size widgets, visit counters, share buttons, footers) and separator lines.

Every rule is a line-level rule about the *shape* of a line, never about a particular document.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.textlines import TextLine, ends_sentence, fold, is_caps, is_table_row

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
_TITLE_WORDS = re.compile(
    r"\b(?:nghi quyet|bao cao|ke hoach|chi thi|quyet dinh|tai lieu|chuong trinh|de an|ket luan|huong dan|"
    r"thong tri|cong van|to trinh|(?:19|20)\d\d)\b"
)
SEPARATOR = re.compile(r"^[\s\-_=*~.·•#+|/\\]{3,}$")
_CHROME_MAX_CHARS = 240


def _chrome_kind(line: str) -> str | None:
    """'strong', 'weak' or None for one stripped line."""
    if len(line) > _CHROME_MAX_CHARS or is_table_row(line):
        return None
    folded = fold(line)
    if not folded:
        return None
    if _STRONG_CHROME.match(folded):
        return "strong"
    if _WEAK_CHROME.match(folded):
        return "weak"
    return None


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
