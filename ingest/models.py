"""The data that flows from ingestion to the answer: a loaded document and its chunks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

ChunkKind = Literal["heading", "paragraph", "indicator", "list_item", "table_row"]
# How much of the context header goes into a passage's vector (the lexical index always keeps all of it):
# "full" = province · document title · heading path; "short" = province · nearest heading;
# "key" = province · the years of the nearest heading that names some, and the document's own vector
# (province · title, embedded once per document) blended in at DOC_VECTOR_WEIGHT; "none" = the passage alone.
# benchmarks/ingest_cost_bench.py measures them.
EmbedContext = Literal["full", "short", "key", "none"]
DOC_VECTOR_WEIGHT = 0.25
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class Page:
    """Text of one page (PDF) or of the whole file (page=None), as loaded, before repair."""

    text: str
    page: int | None = None  # 1-based for PDFs
    ocr: bool = False        # recognised from an image of the page (a scan), not read from a text layer


@dataclass(frozen=True)
class DocumentMeta:
    """Per-document metadata, detected or taken from a sidecar file. Unknown stays None/empty."""

    source: str                          # file name, the document's identity in the store
    title: str | None = None
    province: str | None = None          # canonical name with diacritics, e.g. "Trà Vinh"
    years: tuple[int, ...] = ()          # every year the document plans for or reports on
    plan_years: tuple[int, ...] = ()     # years it sets targets for
    report_years: tuple[int, ...] = ()   # years it reports results of
    doc_type: str | None = None          # "nghị quyết", "báo cáo chính trị", "tài liệu tuyên truyền", ...
    number: str | None = None            # "27-NQ/TU", "Nghị quyết số 100"
    issue_date: str | None = None        # ISO yyyy-mm-dd when known
    signer: str | None = None
    content_hash: str = ""               # sha256 of the raw file bytes: a changed file has a new hash
    ocr_pages: tuple[int, ...] = ()      # PDF pages whose text was recognised from a scan (OCR)

    def as_metadata(self) -> dict[str, str | int | float | bool]:
        """Scalar-only view for Chroma (it rejects lists and None)."""
        out: dict[str, str | int | float | bool] = {"source": self.source, "content_hash": self.content_hash}
        for key in ("title", "province", "doc_type", "number", "issue_date", "signer"):
            value = getattr(self, key)
            if value:
                out[key] = value
        for key in ("years", "plan_years", "report_years"):
            values = getattr(self, key)
            if values:
                out[key] = ",".join(str(y) for y in values)
        for year in self.years:
            out[f"y{year}"] = True  # lets Chroma filter by year with a plain equality
        return out


@dataclass(frozen=True)
class Chunk:
    """One citable passage. `text` is shown and cited exactly as written in the source."""

    text: str
    source: str
    heading_path: tuple[str, ...]
    page: int | None
    kind: ChunkKind
    seq: int                              # position in the document, 0-based
    doc: DocumentMeta
    start: int = -1                       # char offsets into the repaired document text
    end: int = -1
    context: str = ""                     # extra text that belongs to the row/indicator (table headers)
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # The time the passage speaks of when its own words do not say: the period phrase that opens it or
    # the nearest one before it in its section ("Năm 2020, …" then "Nổi bật là, … 6,08%").
    period: str = ""
    period_years: tuple[int, ...] = ()
    period_seq: int = -1                  # the chunk whose words state the period (-1: a heading does)
    period_kind: str = ""                 # core.genre.PeriodKind: "year", "part", "term", "congress" …

    @property
    def id(self) -> str:
        """Content hash: the same text at the same place of the same document is the same chunk."""
        key = "\x1f".join((self.source, " > ".join(self.heading_path), self.text, self.context, str(self.seq)))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    @property
    def location(self) -> str:
        """Human-readable place in the document, in Vietnamese."""
        where = f"trang {self.page}" if self.page else f"đoạn {self.seq + 1}"
        if self.page is not None and self.page in self.doc.ocr_pages:
            where += " (văn bản nhận dạng từ ảnh)"  # OCR misreads figures: the reader should check the scan
        return where

    @property
    def header(self) -> str:
        """Short context line (province · document · heading path) prepended for indexing."""
        parts = [p for p in (self.doc.province, self.doc.title or self.source) if p]
        parts.extend(self.heading_path)
        return " · ".join(parts)

    @property
    def short_header(self) -> str:
        """Province · nearest heading: the part of the header a question names most often."""
        return " · ".join(p for p in (self.doc.province, *self.heading_path[-1:]) if p)

    @property
    def key_header(self) -> str:
        """Province · years of the section ("Trà Vinh · 2021"): what questions filter on, in a few tokens."""
        years = next((found for h in reversed(self.heading_path) if (found := _YEAR.findall(h))), [])
        return " · ".join(p for p in (self.doc.province, " - ".join(dict.fromkeys(years))) if p)

    @property
    def body(self) -> str:
        """The passage and the context that belongs to it (a table row's column headers)."""
        return f"{self.text}\n{self.context}" if self.context else self.text

    @property
    def index_text(self) -> str:
        """What is lexically indexed: the full context header, the passage and its context."""
        return f"{self.header}\n{self.body}"

    def doc_embed_text(self, context: EmbedContext) -> str | None:
        """The document-level text whose vector is blended into this passage's, if the variant does so."""
        if context != "key":
            return None
        return " · ".join(p for p in (self.doc.province, self.doc.title or self.source) if p)

    def embed_text(self, context: EmbedContext) -> str:
        """What is embedded. The engine's cost grows with tokens and full headers are most of them."""
        if context == "full":
            return self.index_text
        header = {"short": self.short_header, "key": self.key_header}.get(context, "")
        return f"{header}\n{self.body}" if header else self.body
