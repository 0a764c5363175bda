"""Generic text repair for every format: what a loader returns → clean, readable, citable text.

Steps, in order: Unicode NFC and invisible characters; markup that leaked into the text (`<i>…</i>`,
`<br>`, entities, Markdown emphasis); page furniture (page numbers, running headers; PDFs only);
web-page chrome (navigation, log-in, font-size widgets, visit counters, share buttons, footers);
separator lines; then line joining — hard-wrapped lines, sentences broken across a paragraph or page
break ("mục\\n\\ntiêu"), line-break hyphens — without ever gluing a heading, list item or table row
to its neighbour. Tone-mark style is left exactly as written (hoà stays hoà); index keys are made
elsewhere (`core.vietnamese.index_key`). Tabs inside table rows are kept.

The stages live in `ingest.normalize`, `ingest.chrome` and `ingest.paragraphs`;
every rule is a line-level rule about the *shape* of a line, never about a particular document.
"""

from __future__ import annotations

from ingest.chrome import SEPARATOR, drop_chrome, drop_page_furniture
from ingest.models import Page
from ingest.normalize import clean_lines
from ingest.paragraphs import drop_repeats, join, render, wrap_width
from ingest.textlines import flatten, is_table_row


def repair_text(text: str) -> str:
    """Repair one text (a whole .txt/.docx/.html document)."""
    return _repair([text], page_furniture=False)[0]


def repair_pages(pages: list[Page]) -> list[Page]:
    """Repair page-wise; a sentence broken across a page boundary is moved whole onto the page where it starts.

    Pages whose text becomes empty (blank or furniture-only pages) are dropped; the others keep their numbers.
    """
    # Numbered pages come from a PDF, whose lines are hard-wrapped even when there are only a few.
    paged = any(p.page is not None for p in pages)
    texts = _repair([p.text for p in pages], page_furniture=len(pages) > 1, min_wrapped_lines=6 if paged else 12)
    return [Page(text, page.page) for page, text in zip(pages, texts, strict=True) if text]


def _repair(texts: list[str], *, page_furniture: bool, min_wrapped_lines: int = 12) -> list[str]:
    pages = [clean_lines(t) for t in texts]
    if page_furniture:
        drop_page_furniture(pages)
    lines = flatten(pages)
    lines = drop_chrome(lines)
    lines = [ln for ln in lines if not SEPARATOR.match(ln.text) or is_table_row(ln.text)]
    lines = drop_repeats(lines)
    paras = join(lines, wrap_width(lines, min_wrapped_lines))
    return render(paras, len(texts))
