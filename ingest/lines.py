"""Physical lines of a document with their offsets, so every element can point back into the text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One physical line: `start`/`end` bound its text without surrounding blanks; `raw` keeps tabs."""

    start: int
    end: int
    text: str          # stripped
    raw: str           # the line without the document's common indentation (tabs kept: table cells)

    @property
    def blank(self) -> bool:
        return not self.text


def split_lines(text: str) -> list[Line]:
    """Lines with offsets; the indentation common to every non-blank line is removed from `raw`."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in text.split("\n"):
        spans.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    indent = _common_indent([text[a:b] for a, b in spans])
    lines = []
    for a, b in spans:
        body = text[a:b].rstrip("\r")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            trail = len(body.rstrip())
            lines.append(Line(a + lead, a + trail, stripped, body[indent:]))
        else:
            lines.append(Line(a, a, "", ""))
    return lines


def _common_indent(lines: list[str]) -> int:
    prefixes = [len(l) - len(l.lstrip("\t")) for l in lines if l.strip()]
    return min(prefixes) if prefixes else 0


def is_table_line(line: Line) -> bool:
    """A line with a tab between two pieces of text: a row of a tab-separated table."""
    return "\t" in line.raw.strip(" \t\r") or (line.raw.count("\t") >= 2 and not line.blank)
