"""Vietnamese tokens for lexical search: syllables, numbers as written, syllable bigrams, a folded field.

One document yields two fields in one token list:
- the *exact* field keeps diacritics (canonical tone marks, lower case), so thể ≠ thế and án ≠ an;
- the *folded* field (tokens prefixed with `~`) drops every diacritic, so a question typed without
  accents ("tra vinh grdp") still matches "Trà Vinh GRDP".
A question queries one field per word: accented words the exact field, unaccented words the folded one.

Numbers stay single tokens as written in Vietnamese ("6.150,1", "7,5"); a unit sign ("%", "‰") is its own
token so "7,5%" and "7,5 %" tokenise alike; a range "1.100 - 1.200" adds a range token "1.100-1.200".
"""

from __future__ import annotations

from functools import lru_cache

import re
from dataclasses import dataclass
from typing import Literal

from core.vietnamese import fold_diacritics, has_diacritics, index_key, nfc

FOLDED = "~"       # prefix of folded-field tokens
BIGRAM = "_"       # joins the two syllables of a bigram

QueryMode = Literal["exact", "folded", "mixed"]

# Numbers: digits with Vietnamese separators (dot for thousands, comma for decimals); a separator only
# counts when a digit follows, so "2019, 2020" is two numbers. Units are separate tokens.
_TOKEN = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<unit>[%‰])"
    r"|(?P<dash>\s*[-–—]\s*)"
    r"|(?P<brk>[.,;:!?()\[\]{}\"“”‘’'…/\\|<>=+*#]|\n)",
    re.UNICODE,
)
_LEADING_ZEROS = re.compile(r"^0+(?=\d)")
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """One exact-field unigram and the text segment it belongs to (bigrams never cross segments)."""

    text: str
    segment: int
    number: bool = False

    @property
    def foldable(self) -> bool:
        """Words have a folded form; numbers and unit signs are the same in both fields."""
        return not self.number and any(ch.isalpha() for ch in self.text)


def _number(raw: str) -> str:
    """Integers lose padding zeros ("06" → "6") because documents write "06 nhiệm vụ" and people type "6"."""
    if raw.isdigit():
        return _LEADING_ZEROS.sub("", raw)
    return raw


def syllables(text: str) -> list[Token]:
    """Exact-field unigrams of `text` in order: syllables, numbers, units, and range tokens."""
    key = index_key(text)
    out: list[Token] = []
    segment = 0
    pending_range: str | None = None  # the number before a dash, waiting for the number after it
    last_was_number = False
    for match in _TOKEN.finditer(key):
        kind = match.lastgroup
        if kind == "num":
            value = _number(match.group())
            if pending_range is not None:
                out.append(Token(f"{pending_range}-{value}", segment, number=True))
            out.append(Token(value, segment, number=True))
            pending_range = None
            last_was_number = True
            continue
        if kind == "dash":
            # "1.100 - 1.200" is a range; "kinh tế - xã hội" only separates words.
            pending_range = out[-1].text if last_was_number and out else None
            if pending_range is None:
                segment += 1
            last_was_number = False
            continue
        pending_range = None
        last_was_number = False
        if kind == "word":
            out.append(Token(match.group(), segment))
        elif kind == "unit":
            out.append(Token(match.group(), segment))
        else:
            segment += 1
    return out


def _bigrams(tokens: list[Token]) -> list[tuple[Token, Token]]:
    pairs = []
    for left, right in zip(tokens, tokens[1:]):
        if left.segment == right.segment and "-" not in left.text and "-" not in right.text:
            pairs.append((left, right))
    return pairs


@lru_cache(maxsize=500_000)
def fold(token: str) -> str:
    # Tokens repeat endlessly (the same syllables and bigrams in every chunk): cached, folding stops
    # being a visible share of indexing and of the per-question re-ranking.
    return FOLDED + fold_diacritics(token)


def document_tokens(text: str) -> list[str]:
    """Every token a document contributes to the index: exact and folded unigrams and bigrams."""
    toks = syllables(text)
    out = [t.text for t in toks]
    out.extend(fold(t.text) for t in toks if t.foldable)
    for left, right in _bigrams(toks):
        out.append(f"{left.text}{BIGRAM}{right.text}")
        out.append(fold(f"{left.text}{BIGRAM}{right.text}"))
    return out


def query_mode(text: str) -> QueryMode:
    """How a question was typed: with accents, without any, or mostly without (a few accented words)."""
    # Upper-case abbreviations (GRDP, BHYT) carry no diacritics however the question was typed.
    every = _WORDS.findall(nfc(text))
    words = [w for w in every if not (len(w) > 1 and w.isupper())] or every
    if not words:
        return "exact"
    accented = sum(1 for w in words if has_diacritics(w))
    if accented == 0:
        return "folded"
    # Vietnamese prose carries a diacritic on most syllables; a question where few words do was
    # typed without accents apart from a word or two, and its bare words must not be read literally.
    return "exact" if accented / len(words) >= 0.5 else "mixed"


def _query_form(token: Token, mode: QueryMode) -> str:
    if not token.foldable or mode == "exact":
        return token.text
    if mode == "folded" or not has_diacritics(token.text):
        return fold(token.text)
    return token.text


def query_tokens(
    text: str,
    *,
    mode: QueryMode | None = None,
    stopwords: frozenset[str] = frozenset(),
    bigrams: bool = True,
) -> list[str]:
    """Tokens to look up for a question. Stop words are dropped and break bigrams (no "của_trà")."""
    mode = mode or query_mode(text)
    folded_stopwords = {fold_diacritics(w) for w in stopwords} if mode != "exact" else set()
    kept: list[Token] = []
    segment_shift = 0
    for tok in syllables(text):
        bare = mode != "exact" and not has_diacritics(tok.text)
        if tok.text in stopwords or (bare and tok.text in folded_stopwords):
            segment_shift += 1
            continue
        kept.append(Token(tok.text, tok.segment + segment_shift, tok.number))
    out = [_query_form(t, mode) for t in kept]
    if bigrams:
        for left, right in _bigrams(kept):
            if mode == "exact" or (mode == "mixed" and has_diacritics(left.text) and has_diacritics(right.text)):
                out.append(f"{left.text}{BIGRAM}{right.text}")
            else:
                out.append(fold(f"{left.text}{BIGRAM}{right.text}"))
    return out


def numbers(text: str) -> list[str]:
    """The numbers written in `text`, as tokens (for exact number matching between question and passage)."""
    return [t.text for t in syllables(text) if t.number and "-" not in t.text]
