"""Text out of Word (.docx) and web pages (.html/.htm), in reading order.

Both keep the structure the chunker relies on: one paragraph per line, automatic list numbers
written out ("1.", "a)", "-"), and tables as tab-separated rows — the same shape as the TSV appendix
of a plain-text resolution. HTML additionally loses its scripts, styles and navigation chrome.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import EmptyDocument, IngestError

# --- .docx ---------------------------------------------------------------------------------------------


def docx_text(path: Path, name: str | None = None) -> str:
    """Paragraphs and tables of the document body in order; tables as tab-separated rows.

    `name`: the file the user gave, when `path` is a conversion of it (.doc/.odt/.rtf)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from ingest.docx_tables import table_rows

    name = name or path.name
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(
            f"Tệp Word “{name}” bị hỏng hoặc không phải tệp .docx hợp lệ ({type(exc).__name__}).",
            hint="Hãy mở tệp bằng Word/LibreOffice và lưu lại dưới dạng .docx; tệp .doc cũ cần lưu lại thành .docx.",
        ) from exc
    except Exception as exc:  # lxml/zip errors from a damaged package surface as many types
        raise IngestError(
            f"Tệp Word “{name}” bị hỏng, không đọc được ({type(exc).__name__}).",
            hint="Hãy mở tệp bằng Word/LibreOffice và lưu lại dưới dạng .docx.",
        ) from exc
    numbering = _Numbering(document)
    lines: list[str] = []
    for kind, element in _body_items(document):
        if kind == "p":
            text = paragraph_text(element)
            label = numbering.label(element)
            if label and text.strip():
                text = f"{label} {text.strip()}"
            lines.append(text)
        else:
            lines.append("")
            lines.extend(table_rows(element))
            lines.append("")
    return "\n".join(lines)


def _body_items(document: Any) -> Iterator[tuple[str, Any]]:
    from docx.oxml.ns import qn

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            yield "p", child
        elif child.tag == qn("w:tbl"):
            yield "tbl", child
        elif child.tag == qn("w:sdt"):  # content controls (tables of contents, cover pages) wrap paragraphs
            for inner in child.iter(qn("w:p"), qn("w:tbl")):
                if inner.getparent() is not None and inner.getparent().tag == qn("w:sdtContent"):
                    yield ("p" if inner.tag == qn("w:p") else "tbl"), inner


def paragraph_text(p: Any) -> str:
    """Visible text of a paragraph: runs, tabs, line breaks; deleted revisions excluded."""
    from docx.oxml.ns import qn

    out: list[str] = []
    for node in p.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen"), qn("w:delText")):
        if node.tag == qn("w:t"):
            out.append(node.text or "")
        elif node.tag == qn("w:tab"):
            out.append(" ")  # tabs in running text align, they are not table columns
        elif node.tag in (qn("w:br"), qn("w:cr")):
            out.append("\n" if node.get(qn("w:type")) in (None, "textWrapping") else "\n\n")
        elif node.tag == qn("w:noBreakHyphen"):
            out.append("-")
    return "".join(out)


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


class _Numbering:
    """Word's automatic list numbers, rendered as text ("1.", "1.2.", "a)", "-")."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self._levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self._counters: dict[str, list[int]] = {}
        self._style_num: dict[str, tuple[str | None, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in numbering.iterchildren(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = {
                int(lvl.get(qn("w:ilvl"), "0")): (
                    self._val(lvl, "w:numFmt") or "decimal",
                    self._val(lvl, "w:lvlText") or "",
                    int(self._val(lvl, "w:start") or "1"),
                )
                for lvl in node.iterchildren(qn("w:lvl"))
            }
        for num in numbering.iterchildren(qn("w:num")):
            abstract_id = self._val(num, "w:abstractNumId")
            levels = dict(abstract.get(abstract_id or "", {}))
            for override in num.iterchildren(qn("w:lvlOverride")):
                level = int(override.get(qn("w:ilvl"), "0"))
                start = self._val(override, "w:startOverride")
                if start and level in levels:
                    fmt, text, _ = levels[level]
                    levels[level] = (fmt, text, int(start))
            self._levels[num.get(qn("w:numId"))] = levels
        for style in document.styles.element.iterchildren(qn("w:style")):
            num_id = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            ilvl = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:ilvl')}")
            if num_id is not None:
                self._style_num[style.get(qn("w:styleId"))] = (
                    num_id.get(qn("w:val")), int(ilvl.get(qn("w:val"))) if ilvl is not None else 0)

    def _val(self, node: Any, tag: str) -> str | None:
        child = node.find(self._qn(tag))
        return child.get(self._qn("w:val")) if child is not None else None

    def label(self, p: Any) -> str | None:
        qn = self._qn
        num_id_node = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
        ilvl_node = p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:ilvl')}")
        num_id: str | None = num_id_node.get(qn("w:val")) if num_id_node is not None else None
        level = int(ilvl_node.get(qn("w:val"))) if ilvl_node is not None else None
        if num_id is None:
            style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
            style_id = style.get(qn("w:val")) if style is not None else None
            if style_id in self._style_num:
                num_id, style_level = self._style_num[style_id]
                level = style_level if level is None else level
        level = level or 0
        if not num_id or num_id == "0" or num_id not in self._levels or level not in self._levels[num_id]:
            return None
        levels = self._levels[num_id]
        counters = self._counters.setdefault(num_id, [0] * 9)
        if level >= len(counters):
            return None
        counters[level] += 1
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        fmt, template, _ = levels[level]
        if fmt == "bullet":
            return "-"
        if fmt == "none" or not template:
            return None

        def render(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            if k not in levels:
                return ""
            k_fmt, _, k_start = levels[k]
            value = max(counters[k], 1) + k_start - 1
            return _format_number(value, k_fmt)

        return re.sub(r"%(\d)", render, template).strip() or None


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("upperRoman",):
        return _roman(value)
    if fmt == "lowerRoman":
        return _roman(value).lower()
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


# --- .html ---------------------------------------------------------------------------------------------
_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas",
              "nav", "aside", "form", "button", "input", "select", "textarea", "menu", "dialog", "head")
_CHROME_WORDS = frozenset({
    "menu", "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs", "footer", "share", "sharing", "social",
    "login", "signin", "sidebar", "banner", "advert", "advertisement", "ads", "cookie", "cookies", "comment",
    "comments", "related", "popup", "modal", "toolbar", "print", "pagination", "pager", "topbar", "tags",
    "counter", "visitor", "visitors", "statistic", "statistics", "weblink", "weblinks", "hotline",
})
_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
    "li", "dl", "dt", "dd", "blockquote", "pre", "address", "figure", "figcaption", "center", "hr", "table",
    "caption", "fieldset", "details", "summary",
})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """Charset named by a <meta> tag in the first few kilobytes, if Python knows it."""
    import codecs

    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def html_text(markup: str, name: str) -> str:
    """Readable text of a web page: chrome dropped, blocks as lines, tables as tab-separated rows."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(markup, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    total = len(soup.get_text(" ", strip=True))
    chrome = [t for t in soup.find_all(True) if t.name not in ("html", "body", "main", "article") and _looks_like_chrome(t)]
    for tag in chrome:
        if getattr(tag, "decomposed", False):
            continue  # inside chrome already removed
        # Never drop what holds most of the page: a theme may put the article inside "main-nav-wrapper".
        if total and len(tag.get_text(" ", strip=True)) > 0.5 * total:
            continue
        tag.decompose()
    for tag in soup.find_all("header"):
        if not tag.find_parent(["article", "main"]):
            tag.decompose()
    root = _main_content(soup)
    lines: list[str] = []
    _render(root, lines, [])
    text = "\n".join(line.strip() if "\t" not in line else line for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        raise EmptyDocument(f"Trang web “{name}” không có nội dung văn bản sau khi bỏ phần điều hướng.",
                            hint="Hãy kiểm tra lại tệp (có thể trang chỉ chứa script hoặc hình ảnh).")
    return text


def _looks_like_chrome(tag: Any) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    if attrs.get("role") in ("navigation", "banner", "contentinfo", "search", "complementary"):
        return True
    names = list(attrs.get("class") or []) + [str(attrs.get("id") or "")]
    for value in names:
        for part in re.split(r"[-_\s]+", str(value).lower()):
            if part in _CHROME_WORDS:
                return True
    return False


def _main_content(soup: Any) -> Any:
    """The single <main>/<article> when the page has one; otherwise the body."""
    for name in ("main", "article"):
        found = soup.find_all(name)
        if len(found) == 1 and found[0].get_text(strip=True):
            return found[0]
    return soup.body or soup


def _render(node: Any, lines: list[str], current: list[str]) -> None:
    """Walk the tree: inline text accumulates in `current`; blocks flush it as a line."""
    from bs4 import NavigableString, Tag

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        current.clear()
        if text:
            lines.append(text)

    for child in node.children:
        if isinstance(child, NavigableString):
            current.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            flush()
        elif name == "table":
            flush()
            _render_table(child, lines)
        elif name == "pre":
            flush()
            lines.extend(line.rstrip() for line in child.get_text().split("\n"))
        elif name == "li":
            flush()
            start = len(lines)
            _render(child, lines, current)
            flush()
            first = next((i for i in range(start, len(lines)) if lines[i]), None)
            if first is not None:
                lines[first] = _list_label(child) + lines[first]
        elif name in _BLOCKS:
            flush()
            if name in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "table") and lines and lines[-1] != "":
                lines.append("")
            _render(child, lines, current)
            flush()
            if name in ("h1", "h2", "h3", "h4", "h5", "h6", "p"):
                lines.append("")
        else:
            _render(child, lines, current)
    if node.name in _BLOCKS or node.name in ("body", "[document]"):
        flush()


def _list_label(li: Any) -> str:
    parent = li.find_parent(["ol", "ul"])
    text = li.get_text(" ", strip=True)
    if re.match(r"^(?:[-–•+*]|\(?\d{1,3}[.)]|[a-zđ][).]|[IVX]{1,5}[.-])\s", text):
        return ""  # the text already carries its own marker
    if parent is None or parent.name == "ul":
        return "- "
    siblings = [s for s in parent.find_all("li", recursive=False)]
    start = int(parent.get("start", "1")) if str(parent.get("start", "1")).isdigit() else 1
    index = siblings.index(li) + start if li in siblings else start
    kind = parent.get("type", "1")
    if kind == "a":
        return f"{_letters(index)}) "
    if kind == "A":
        return f"{_letters(index).upper()}. "
    if kind == "i":
        return f"{_roman(index).lower()}. "
    if kind == "I":
        return f"{_roman(index)}. "
    return f"{index}. "


def _render_table(table: Any, lines: list[str]) -> None:
    """A data table becomes tab-separated rows; a layout table (one column, long blocks) is read as text."""
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    cells_per_row = [[c for c in tr.find_all(["td", "th"]) if c.find_parent("tr") is tr] for tr in rows]
    widths = [sum(_colspan(c) for c in cells) for cells in cells_per_row if cells]
    nested = table.find("table") is not None
    texts = [c.get_text(" ", strip=True) for cells in cells_per_row for c in cells]
    average = sum(len(t) for t in texts) / len(texts) if texts else 0
    if nested or not widths or max(widths) < 2 or average > 300:
        for cells in cells_per_row:
            for cell in cells:
                _render(cell, lines, [])
                lines.append("")
        return
    lines.append("")
    for cells in cells_per_row:
        values: list[str] = []
        for cell in cells:
            values.append(re.sub(r"\s+", " ", cell.get_text(" ", strip=True)))
            values.extend([""] * (_colspan(cell) - 1))
        if any(values):
            lines.append("\t".join(values))
    lines.append("")


def _colspan(cell: Any) -> int:
    value = str(cell.get("colspan", "1"))
    return max(1, min(int(value), 50)) if value.isdigit() else 1

