"""Characters and leaked markup: what a loader returned → normalised lines, before any line is judged.

Unicode NFC and invisible characters; markup that leaked into the text (`<i>…</i>`, `<br>`, entities,
Markdown emphasis). Tone-mark style is left exactly as written (hoà stays hoà). Tabs inside table rows
are kept.
"""

from __future__ import annotations

import html
import re
import unicodedata

from ingest.textlines import is_table_row

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


_RUNS_OF_SPACE = re.compile(r"[ \t]{2,}|\t")


def clean_lines(text: str) -> list[str]:
    """Normalised lines of one page; blank lines kept as "" (they separate paragraphs)."""
    text = _strip_markup(_normalise_chars(text))
    out = []
    for line in text.split("\n"):
        if is_table_row(line):
            out.append(line.strip(" "))  # leading/trailing tabs are empty cells: keep them
        else:
            out.append(_RUNS_OF_SPACE.sub(" ", line).strip())
    return out
