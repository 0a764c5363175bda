"""What a question asks about, as weighted terms, and how much of it a passage sentence covers.

The answer layer must decide whether a selected sentence really answers the question, without an LLM
and without a score threshold tuned to one question. The criterion here is information coverage:
the question's content terms (stop words, question words, intent words, province names and years
removed; abbreviations, synonyms and English genre words mapped to their Vietnamese forms) are
weighted by how rare they are in the indexed documents (BM25's idf), and a sentence supports an
answer when it — together with its section heading and table headers — carries more than half of
that weight. A question about "tỷ lệ phủ sóng 5G" is then not answered with "tỷ lệ che phủ rừng":
the rare words are the ones that say what is asked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from core.genre import find_periods
from core.vietnamese import fold_diacritics, has_diacritics, index_key
from retrieval.abbreviations import ABBREVIATIONS, ENGLISH, SYNONYMS

# A word with a letter in it is one token ("5G", "grdp"); otherwise a number as written ("6.150,1").
_SYLLABLE = re.compile(r"[^\W_]*[^\W\d_][^\W_]*|\d+(?:[.,]\d+)*", re.UNICODE)
_YEAR = re.compile(r"(?:19|20)\d\d")
_LEADING_ZEROS = re.compile(r"^0+(?=\d)")

# Function words, question words and conversational filler: they say how something is asked.
_STOP = """
của là gì bao nhiêu mấy nào những các cái này kia đó ấy thì mà và với cho về theo trong ngoài tại ở
từ đến tới bằng như nhưng hay hoặc có không chưa đã đang sẽ được bị do vì nên để rằng thế sao vậy
nhỉ nhé ạ ơi à hả hãy xin vui lòng biết hỏi tôi mình chúng ta em anh chị bạn ông bà ai
năm tỉnh thành phố tp nhiệm kỳ giai đoạn tính cuối hiện nay bây giờ lúc khi
so sánh giữa hơn cao thấp nhất bao gồm gồm ra làm phần trăm
""".split()
# Words that say whether a target or a result is asked: the analysis' intent carries them.
_INTENT = """
chỉ tiêu mục tiêu kế hoạch phấn đấu đặt đề dự kiến định muốn giao kết quả thực hiện đạt nghị quyết
nq
""".split()
STOPWORDS: frozenset[str] = frozenset(index_key(w) for w in _STOP + _INTENT)
_INTENT_KEYS: frozenset[str] = frozenset(index_key(w) for w in _INTENT) | frozenset(fold_diacritics(index_key(w)) for w in _INTENT)
_FOLDED_STOPWORDS: frozenset[str] = frozenset(fold_diacritics(w) for w in STOPWORDS)

# Units and everyday words people use for what the documents write formally (complements the
# retrieval vocabulary in `retrieval.abbreviations`).
_UNIT_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("cây số", "km", "ki lô mét", "kilômét"),
    ("vạn dân", "10.000 dân"),
    ("tiền", "đồng", "USD"),
    ("mỗi người dân", "mỗi người", "đầu người"),
    ("mỗi người", "đầu người"),
)

_ENGLISH_FUNCTION = frozenset(
    """what which who whom whose how many much is are was were be been the a an of in on at for to from
    and or by with did does do its it this that these those there their what's s target targets goal
    goals plan planned planning achieved achieve actual result results year years province provinces
    in into compared compare versus vs between than higher lower set sets aim aims expected reach
    reached level""".split()
)


@dataclass(frozen=True)
class Term:
    """One thing the question asks about: alternative word sequences (syllable keys) and a weight."""

    label: str                               # as in the question, for explanations
    variants: tuple[tuple[str, ...], ...]    # each a sequence of syllable keys
    folded: bool                             # match against diacritic-free keys
    weight: float = 1.0
    indicator: bool = False                  # a named indicator of the genre ("hộ nghèo", "GRDP", "thu NSNN")


@dataclass(frozen=True)
class QuestionTerms:
    terms: tuple[Term, ...]
    numbers: frozenset[str] = frozenset()    # figures written in the question (years excluded)
    english: bool = False

    @property
    def total_weight(self) -> float:
        return sum(t.weight for t in self.terms)

    @property
    def empty(self) -> bool:
        return not self.terms


@dataclass
class TermStats:
    """Document frequencies of syllable keys over the indexed passages (for idf weights)."""

    n_docs: int = 0
    df: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "TermStats":
        stats = cls()
        for text in texts:
            keys = set(syllable_keys(text))
            keys.update(fold_diacritics(k) for k in list(keys))
            stats.n_docs += 1
            for key in keys:
                stats.df[key] = stats.df.get(key, 0) + 1
        return stats

    def idf(self, key: str) -> float:
        """BM25's idf (always positive); every word weighs the same when nothing is indexed."""
        if self.n_docs == 0:
            return 1.0
        df = self.df.get(key, 0)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _is_number(key: str) -> bool:
    return bool(_NUMBER.fullmatch(key))


def _number_key(text: str) -> str:
    return _LEADING_ZEROS.sub("", text) if text.isdigit() else text


@lru_cache(maxsize=50_000)
def syllable_keys(text: str) -> tuple[str, ...]:
    """Lower-case canonical-tone syllables and numbers of `text`, in order."""
    return tuple(_number_key(t) for t in _SYLLABLE.findall(index_key(text)))


@dataclass(frozen=True)
class KeyedText:
    """A passage fragment prepared for matching: its syllable keys, exact and folded, as a string."""

    exact: str
    folded: str
    numbers: frozenset[str]

    @classmethod
    def of(cls, *parts: str) -> "KeyedText":
        return cls._from_keys([k for part in parts if part for k in syllable_keys(part)])

    @classmethod
    def of_key(cls, key: str) -> "KeyedText":
        """From text that is already an `index_key`."""
        return cls._from_keys([_number_key(t) for t in _SYLLABLE.findall(key)])

    @classmethod
    def _from_keys(cls, keys: list[str]) -> "KeyedText":
        exact = " " + " ".join(keys) + " "
        nums = frozenset(k for k in keys if _is_number(k))
        return cls(exact=exact, folded=fold_diacritics(exact), numbers=nums)

    def has(self, term: Term) -> bool:
        hay = self.folded if term.folded else self.exact
        if any(_variant_pattern(variant, term.folded).search(hay) for variant in term.variants):
            return True
        return _is_acronym(term.label) and _spells(term.label, self.folded)

    def has_words(self, term: Term) -> bool:
        """Every word of the question's own phrase occurs, in any order (phrases of two or more words)."""
        words = syllable_keys(term.label)
        if len(words) < 2:
            return False
        hay = self.folded if term.folded else self.exact
        return all(f" {_fold(w) if term.folded else w} " in hay for w in words)


_VOWELS = set("aăâeêioôơuưy")


def _is_acronym(label: str) -> bool:
    """"nsđp", "gtsx": an abbreviation no table knows (3–6 letters, no vowel, so no Vietnamese syllable)."""
    return 3 <= len(label) <= 6 and label.isalpha() and not (set(fold_diacritics(label)) & _VOWELS)


@lru_cache(maxsize=20_000)
def _spells(acronym: str, folded_text: str) -> bool:
    """Some run of syllables in the text has the acronym's letters as initials ("ngân sách địa phương")."""
    letters = fold_diacritics(acronym)
    words = folded_text.split()
    n = len(letters)
    return any("".join(w[0] for w in words[i : i + n]) == letters for i in range(len(words) - n + 1))


# A figure may sit inside a phrase: "kết nạp 3.000 đảng viên" is "kết nạp đảng viên" (a word may not:
# "hộ cận nghèo" is not "hộ nghèo").
_GAP = r"(?:\d[\d.,]* ){0,2}"


@lru_cache(maxsize=20_000)
def _variant_pattern(variant: tuple[str, ...], folded: bool) -> re.Pattern[str]:
    words = [re.escape(fold_diacritics(v) if folded else v) for v in variant]
    return re.compile(" " + (" " + _GAP).join(words) + " ")


def _phrase_table() -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    """(phrase keys, its alternatives) for abbreviations, synonyms and unit spellings; longest first."""
    groups: dict[tuple[str, ...], set[tuple[str, ...]]] = {}

    def link(group: Sequence[str]) -> None:
        keyed = [syllable_keys(g) for g in group]
        keyed = [k for k in keyed if k]
        for k in keyed:
            groups.setdefault(k, set()).update(keyed)

    for abbr, fulls in ABBREVIATIONS.items():
        link((abbr, *fulls))
    for group in (*SYNONYMS, *_UNIT_SYNONYMS):
        link(group)
    table = [(k, tuple(sorted(v, key=len, reverse=True))) for k, v in groups.items()]
    table.sort(key=lambda item: -len(item[0]))
    return table


_PHRASES = _phrase_table()
# Phrases that name an indicator of the genre (the synonym groups: "hộ nghèo", "che phủ rừng", "tăng
# trưởng GRDP"), as opposed to abbreviations of domains and bodies ("KT-XH", "NSĐP", "HĐND").
_INDICATORS: frozenset[tuple[str, ...]] = frozenset(syllable_keys(p) for group in SYNONYMS for p in group)


def _english_table() -> list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]:
    table = []
    for english, vietnamese in ENGLISH.items():
        words = tuple(w.lower() for w in re.findall(r"[a-zA-Z]+", english))
        alts = tuple(syllable_keys(v) for v in vietnamese)
        table.append((words, alts))
    table.sort(key=lambda item: -len(item[0]))
    return table


_ENGLISH_PHRASES = _english_table()


_ENGLISH_WORDS = frozenset(w for phrase, _ in _ENGLISH_PHRASES for w in phrase) - {"grdp", "gdp"}


def is_english(question: str) -> bool:
    """A question written in English: no diacritics, and English function or genre words make up much of it."""
    if has_diacritics(question):
        return False
    words = [w.lower() for w in re.findall(r"[A-Za-z']+", question)]
    hits = sum(1 for w in words if w in _ENGLISH_FUNCTION or w in _ENGLISH_WORDS or w.endswith("'s"))
    return hits >= 2 and hits * 5 >= len(words) * 2


def _remove_names(keys: list[str], names: Iterable[str]) -> list[str | None]:
    """Blank out the syllables of the given names (matched without diacritics, as people type them)."""
    out: list[str | None] = list(keys)
    folded = [fold_diacritics(k) for k in keys]
    for name in names:
        name_keys = [fold_diacritics(k) for k in syllable_keys(name)]
        if not name_keys:
            continue
        n = len(name_keys)
        for i in range(len(folded) - n + 1):
            if folded[i : i + n] == name_keys:
                for j in range(i, i + n):
                    out[j] = None
    return out


def _without_parts_of_year(question: str) -> str:
    """"6 tháng đầu năm 2021", "quý I" say when, like a year does, not what (they rank and filter elsewhere)."""
    for period in reversed(find_periods(question)):
        if period.kind == "part":
            question = question[: period.start] + " " + question[period.end :]
    return question


def question_terms(
    question: str,
    *,
    provinces: Iterable[str] = (),
    stats: TermStats | None = None,
) -> QuestionTerms:
    """The weighted content terms of `question` (provinces, years, periods, stop and intent words removed)."""
    stats = stats or TermStats()
    english = is_english(question)
    raw = list(syllable_keys(_without_parts_of_year(question)))
    keys = _remove_names(raw, provinces)
    numbers = frozenset(
        k for k in keys if k and _is_number(k) and not _YEAR.fullmatch(k)
    )
    terms: list[Term] = []
    if english:
        words = [k for k in keys if k is not None]
        terms.extend(_english_terms(words, stats))
    else:
        terms.extend(_vietnamese_terms(keys, stats, _counted(keys)))
    for number in sorted(numbers):
        terms.append(Term(number, ((number,),), folded=False, weight=stats.idf(number)))
    return QuestionTerms(terms=tuple(terms), numbers=numbers, english=english)


def _term_weight(keys: Sequence[str], folded: bool, stats: TermStats) -> float:
    # The rarest syllable says most about what is asked ("tỷ lệ hộ nghèo": "nghèo").
    forms = [_fold(k) if folded else k for k in keys]
    return max((stats.idf(f) for f in forms), default=1.0)


@lru_cache(maxsize=50_000)
def _fold(key: str) -> str:
    return fold_diacritics(key)


def _phrases_by_first() -> dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]:
    """Phrase table indexed by its first syllable without diacritics (longest phrases first)."""
    index: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {}
    for phrase, alts in _PHRASES:
        index.setdefault(_fold(phrase[0]), []).append((phrase, alts))
    return index


_PHRASE_INDEX = _phrases_by_first()


# "bao nhiêu chỉ tiêu", "mấy nhiệm vụ": what is counted is what is asked, though the same words elsewhere
# only say that a target is meant.
_COUNT_WORDS = frozenset({"nhiêu", "mấy", "nhieu", "may"})
_COUNTED_SPAN = 2


def _counted(keys: Sequence[str | None]) -> set[int]:
    """Positions of the intent words ("chỉ tiêu", "nhiệm vụ" …) right after "bao nhiêu" / "mấy"; a unit
    ("phần trăm", "lần") stays a question word."""
    out: set[int] = set()
    for i, key in enumerate(keys):
        if key in _COUNT_WORDS:
            out.update(j for j in range(i + 1, min(len(keys), i + 1 + _COUNTED_SPAN)) if keys[j] in _INTENT_KEYS)
    return out


def _vietnamese_terms(keys: list[str | None], stats: TermStats, keep: frozenset[int] | set[int] = frozenset()) -> list[Term]:
    terms: list[Term] = []
    i = 0
    n = len(keys)
    while i < n:
        key = keys[i]
        if key is None or _is_number(key):
            i += 1
            continue
        matched = False
        for phrase, alts in _PHRASE_INDEX.get(_fold(key), ()):
            m = len(phrase)
            window = keys[i : i + m]
            if len(window) < m or any(w is None for w in window):
                continue
            words = [w for w in window if w]
            bare = all(not has_diacritics(w) for w in words)
            same = [_fold(w) for w in words] == [_fold(p) for p in phrase] if bare else words == list(phrase)
            if not same:
                continue
            i += m
            matched = True
            if all(w in STOPWORDS or _fold(w) in _FOLDED_STOPWORDS for w in words) and not keep & set(range(i - m, i)):
                break  # "nghị quyết", "kế hoạch": intent words, whatever they abbreviate
            indicator = phrase in _INDICATORS or any(alt in _INDICATORS for alt in alts if len(alt) > 1)
            terms.append(
                Term(" ".join(words), alts, folded=bare, weight=_term_weight(words, bare, stats), indicator=indicator)
            )
            break
        if matched:
            continue
        bare = not has_diacritics(key)
        if (key in STOPWORDS or (bare and key in _FOLDED_STOPWORDS)) and (i not in keep or key in _COUNT_WORDS):
            i += 1
            continue
        terms.append(Term(key, ((key,),), folded=bare, weight=_term_weight([key], bare, stats)))
        i += 1
    return _merge_duplicates(terms)


def _english_terms(words: list[str], stats: TermStats) -> list[Term]:
    """Genre words of an English question, as their Vietnamese forms; acronyms kept as they are."""
    terms: list[Term] = []
    i = 0
    lowered = [w.lower() for w in words]
    while i < len(lowered):
        word = lowered[i]
        if _is_number(word):
            i += 1
            continue
        for phrase, alts in _ENGLISH_PHRASES:
            m = len(phrase)
            if tuple(lowered[i : i + m]) == phrase:
                if phrase[0] not in _ENGLISH_FUNCTION or m > 1:
                    weight = max(_term_weight(a, False, stats) for a in alts)
                    terms.append(Term(" ".join(phrase), alts, folded=False, weight=weight))
                i += m
                break
        else:
            # Unknown English words say nothing we can match; an acronym ("GRDP") is universal.
            if word.upper() in ABBREVIATIONS or (word in {"grdp", "gdp", "fdi", "oda", "ocop"}):
                alts = (syllable_keys(word), *(syllable_keys(f) for f in ABBREVIATIONS.get(word.upper(), ())))
                terms.append(Term(word, alts, folded=True, weight=_term_weight([word], True, stats)))
            i += 1
    return _merge_duplicates(terms)


def _merge_duplicates(terms: list[Term]) -> list[Term]:
    seen: set[tuple[tuple[str, ...], ...]] = set()
    out = []
    for term in terms:
        if term.variants in seen:
            continue
        seen.add(term.variants)
        out.append(term)
    return out


# Credit for a phrase whose words occur apart: they may be about something else ("hộ cận nghèo").
PART_CREDIT = 0.6


@dataclass(frozen=True)
class Coverage:
    """How much of the question a fragment carries (weights of matched terms / total weight)."""

    ratio: float          # over the fragment plus its heading path and table headers
    text_ratio: float     # over the fragment alone
    matched: tuple[str, ...]
    missing: tuple[str, ...]


def proximity(terms: QuestionTerms, text: KeyedText) -> float:
    """Share of the question's neighbouring term pairs that are neighbours in the text too (0..1).

    "tỷ lệ hộ nghèo" asked: "tỷ lệ hộ nghèo … còn 1,8%" keeps the words together; "tỷ lệ hộ dân tộc
    sử dụng nước sạch …; hộ nghèo … còn 3,21%" has them all, but about something else.
    """
    pairs = list(zip(terms.terms, terms.terms[1:]))
    if not pairs:
        return 0.0
    total = hit = 0.0
    for left, right in pairs:
        weight = min(left.weight, right.weight)
        total += weight
        if _adjacent(left, right, text):
            hit += weight
    return hit / total if total else 0.0


def _adjacent(left: Term, right: Term, text: KeyedText) -> bool:
    hay = text.folded if (left.folded or right.folded) else text.exact
    for lv in left.variants:
        for rv in right.variants:
            words = [*lv, *rv]
            if left.folded or right.folded:
                words = [_fold(w) for w in words]
            if _variant_pattern(tuple(words), False).search(hay):
                return True
    return False


# Credit for a term only the rest of the document carries: "Đại hội … lần thứ XIX" names the document a
# statement stands in, not what the statement itself says.
DOCUMENT_CREDIT = 0.5


def coverage(
    terms: QuestionTerms,
    text: KeyedText,
    context: KeyedText,
    document: Callable[[Term], bool] | None = None,
) -> Coverage:
    """What share of the question (by term weight) the fragment, its headings, and its document carry."""
    total = terms.total_weight
    if total <= 0:
        return Coverage(1.0, 1.0, (), ())
    in_text = in_all = 0.0
    matched: list[str] = []
    missing: list[str] = []
    for term in terms.terms:
        if text.has(term):
            in_text += term.weight
            in_all += term.weight
            matched.append(term.label)
        elif context.has(term):
            in_all += term.weight
            matched.append(term.label)
        elif text.has_words(term):
            # The phrase's words, not side by side ("tham gia các hình thức bảo hiểm y tế"): part credit.
            in_text += PART_CREDIT * term.weight
            in_all += PART_CREDIT * term.weight
            matched.append("~" + term.label)
        elif document is not None and document(term):
            in_all += DOCUMENT_CREDIT * term.weight
            matched.append("doc:" + term.label)
        else:
            missing.append(term.label)
    return Coverage(in_all / total, in_text / total, tuple(matched), tuple(missing))


def precision(terms: QuestionTerms, text: str) -> float:
    """Share of a short label's content words that the question asks about ("Sản lượng lúa" vs
    "Tỷ lệ lúa đặc sản chiếm" for a question about rice output)."""
    words = [k for k in syllable_keys(text) if not _is_number(k) and k not in STOPWORDS]
    if not words:
        return 0.0
    exact = {w for t in terms.terms if not t.folded for v in t.variants for w in v}
    folded = {_fold(w) for t in terms.terms if t.folded for v in t.variants for w in v}
    hit = sum(1 for w in words if w in exact or _fold(w) in folded)
    return hit / len(words)
