"""Lines of a text under repair: their model, and their shapes (table row, list marker, capitals,
sentence end), judged one line at a time by the chrome and paragraph rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.vietnamese import fold_diacritics

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
CLOSERS = "\"”’'»)]*"
_TERMINAL = ".!?:…"


def is_table_row(line: str) -> bool:
    return line.count("\t") >= 2 or "\t" in line.strip()


def is_marker(line: str) -> bool:
    return bool(_MARKER.match(line))


def is_caps(line: str) -> bool:
    if len(line) > 300:
        return False  # headings are short; this also keeps a 5 MB line cheap
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def ends_sentence(line: str) -> bool:
    stripped = line.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def first_letter(line: str) -> str:
    for ch in line:
        if ch.isalnum():
            return ch
        if ch not in "(“\"‘'[«":
            return ""
    return ""


def starts_lower(line: str) -> bool:
    first = first_letter(line)
    return bool(first) and first.islower()


_BULLET_PREFIX = re.compile(r"^[\s•·*\-–—▪►●○◦■□|>»]+")


def fold(line: str) -> str:
    folded = fold_diacritics(line).lower()
    return re.sub(r"\s+", " ", _BULLET_PREFIX.sub("", folded)).strip()


# --- the line model ------------------------------------------------------------------------------------
@dataclass
class TextLine:
    text: str
    page: int           # index into the page list
    gap: str = "line"   # what separates it from the previous kept line: "line", "blank" or "page"


def flatten(pages: list[list[str]]) -> list[TextLine]:
    out: list[TextLine] = []
    for index, lines in enumerate(pages):
        gap = "page" if index else "line"
        for line in lines:
            if not line:
                if gap == "line":
                    gap = "blank"
                continue
            out.append(TextLine(line, index, gap))
            gap = "line"
    return out
