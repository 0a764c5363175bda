"""How a quote or a figure is found in a passage or an answer: the matching rules of the regression set.

Case, tone-mark style (hoà/hòa) and runs of whitespace never matter; a figure is matched as a whole
("11%" is not inside "111%"); evidence quotes are checked verbatim against their document.
"""

from __future__ import annotations

from core.vietnamese import index_key, nfc
from nghiquyet.answer.numbers import number_tokens


def match_key(text: str) -> str:
    """Key for "does this passage/answer contain that quote/figure": case, tone style and spacing ignored."""
    return " ".join(index_key(text).split())


def contains_figure(text: str, figure: str) -> bool:
    """True when `figure` is written in `text` as a whole figure/phrase, not inside a longer number.

    Compared on `match_key`. "11%" is not in "111%" or "99,11%", "7,5" is not in "17,5"; trailing
    decimal zeros are the same figure as written in tables ("19,6" is in "19,60").
    """
    hay, needle = match_key(text), match_key(figure)
    if not needle:
        return False
    start = hay.find(needle)
    while start != -1:
        end = start + len(needle)
        if _clean_left(hay, start, needle) and _clean_right(hay, end, needle):
            return True
        start = hay.find(needle, start + 1)
    return False


def _clean_left(hay: str, start: int, needle: str) -> bool:
    if start == 0 or not needle[0].isalnum():
        return True
    before = hay[start - 1]
    if before.isalnum():
        return False
    # "1.053" must not match inside "21.053"; "5" not inside "2,5"
    return not (before in ".," and start >= 2 and hay[start - 2].isdigit() and needle[0].isdigit())


def _clean_right(hay: str, end: int, needle: str) -> bool:
    if end == len(hay) or not needle[-1].isalnum():
        return True
    if needle[-1].isdigit() and "," in needle:
        while end < len(hay) and hay[end] == "0":
            end += 1
        if end == len(hay):
            return True
    after = hay[end]
    if after.isalnum():
        return False
    return not (after in ".," and end + 1 < len(hay) and hay[end + 1].isdigit() and needle[-1].isdigit())


def _number_key(token: str) -> str:
    """One key per written value: "95,50" is "95,5" as tables write it, "06" is "6" as lists count."""
    if "," in token:
        token = token.rstrip("0").rstrip(",")
    if token.isdigit():
        token = token.lstrip("0") or "0"
    return token


def shows_figure(text: str, figure: str) -> bool:
    """True when `text` states `figure`: each of its numbers written there as a whole number, or, for a
    figure without numbers (a name, a motto), the phrase itself.

    Numbers rather than the whole string, so an appendix row ("Nghị quyết năm 2020: 2", the unit in
    its own column) shows "2 triệu tấn" as much as the sentence "đạt trên 2 triệu tấn/năm" does.
    """
    numbers = {_number_key(n) for n in number_tokens(figure)}
    if numbers:
        return numbers <= {_number_key(n) for n in number_tokens(text)}
    return contains_figure(text, figure)


def verbatim_key(text: str) -> str:
    """Key for "is this quote verbatim in the document": NFC, whitespace runs collapsed, nothing else."""
    return " ".join(nfc(text).split())
