"""Load a file into pages of raw text: .txt/.md (any encoding), .pdf, .docx, .html/.htm, and
.doc/.rtf/.odt through LibreOffice.

`load_pages` is what the pipeline calls; `load_document` also says which encoding was detected and
carries notes for the user (a TCVN3 file converted, PDF pages without a text layer). Repair is a
separate step (`ingest.repair.repair_pages`). Every failure is an `IngestError` subclass with a
Vietnamese message naming the file and a hint, so a batch can skip the file and go on.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.encoding import DecodedText, decode_bytes, fix_mojibake
from ingest.libreoffice import CONVERTED_SUFFIXES
from ingest.models import Page
from core.errors import EmptyDocument, EncodingProblem, FileTooLarge, IngestError, UnsupportedFileType

if TYPE_CHECKING:
    from core.config import Settings
    from ingest.pdf import PageProgress

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_SUFFIXES: frozenset[str] = TEXT_SUFFIXES | HTML_SUFFIXES | CONVERTED_SUFFIXES | {".pdf", ".docx"}

_CONVERT_HINTS = {
    ".xls": "Bảng tính chưa được hỗ trợ: hãy lưu bảng dưới dạng văn bản (.txt, phân cách bằng tab).",
    ".xlsx": "Bảng tính chưa được hỗ trợ: hãy lưu bảng dưới dạng văn bản (.txt, phân cách bằng tab).",
    ".csv": "Hãy đổi tên thành .txt (các cột phân cách bằng tab) để nạp.",
    ".tsv": "Hãy đổi tên thành .txt để nạp.",
}
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)?<(?:!doctype\s+html|html)\b", re.IGNORECASE | re.DOTALL)
_PAGE_SEPARATOR = "\n\x00nghiquyet-page\x00\n"


@dataclass(frozen=True)
class LoadedDocument:
    """Raw pages of one file, the encoding it was read with, and notes worth telling the user."""

    pages: tuple[Page, ...]
    encoding: str                       # "utf-8", "utf-16-le", "cp1258", "tcvn3", "vni", "pdf", "docx", ...
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ocr_pages(self) -> tuple[int, ...]:
        """Pages whose text was recognised from a scan."""
        return tuple(p.page for p in self.pages if p.ocr and p.page is not None)


def load_pages(path: Path, settings: Settings) -> list[Page]:
    """Raw text per page: PDF pages numbered from 1, one Page(text, None) for every other format."""
    return list(load_document(path, settings).pages)


def load_document(path: Path, settings: Settings, on_page: PageProgress | None = None) -> LoadedDocument:
    """Read one file (see module docstring); raises IngestError subclasses with Vietnamese messages.

    `on_page(done, total)`: progress of a scanned PDF's recognition, page by page."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileType(
            f"Không hỗ trợ định dạng tệp “{name}” ({suffix or 'không có phần mở rộng'}).",
            hint=_CONVERT_HINTS.get(suffix, "Hãy dùng tệp .txt, .md, .pdf, .docx, .doc, .odt, .rtf hoặc .html."),
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise IngestError(f"Không tìm thấy tệp “{path}”.", hint="Hãy kiểm tra lại đường dẫn.") from exc
    except OSError as exc:
        raise IngestError(f"Không đọc được tệp “{name}”: {exc.strerror}.", hint="Hãy kiểm tra quyền truy cập tệp.") from exc
    if not path.is_file():
        raise IngestError(f"“{path}” không phải là tệp.", hint="Hãy chỉ định tệp hoặc thư mục chứa tệp văn bản.")
    limit_bytes = settings.max_file_mb * 1024 * 1024
    if size > limit_bytes:
        raise FileTooLarge(
            f"Tệp “{name}” nặng {size / 1024 / 1024:.1f} MB, vượt giới hạn {settings.max_file_mb:g} MB nên không nạp.",
            hint="Hãy tách tệp thành nhiều phần, hoặc tăng NGHIQUYET_MAX_FILE_MB.",
        )
    if size == 0:
        raise EmptyDocument(f"Tệp “{name}” rỗng (0 byte).", hint="Hãy kiểm tra lại tệp trước khi nạp.")
    with path.open("rb") as handle:
        head = handle.read(512)
    kind = _kind(suffix, head, path)
    if kind == "pdf":
        return _load_pdf(path, settings, on_page)
    if kind == "docx":
        return _load_docx(path)
    if kind == "office":
        return _load_converted(path, settings)
    data = _read(path)
    if kind == "html":
        return _load_html(data, name)
    decoded = decode_bytes(data, name)
    text = decoded.text
    if suffix in (".md", ".markdown"):
        text = re.sub(r"(?m)^#{1,6}[ \t]+", "", text)  # Markdown heading marks hide "1." / "I." headings
    return _document([Page(text, None)], decoded, name)


def _kind(suffix: str, head: bytes, path: Path) -> str:
    """Format by content where the name lies: a PDF or Word file renamed .txt is still read correctly."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if _is_docx(path):
            return "docx"
        if suffix in TEXT_SUFFIXES | HTML_SUFFIXES:
            raise EncodingProblem(
                f"Tệp “{path.name}” không phải văn bản mà là tệp nén (zip).",
                hint="Hãy giải nén hoặc dùng đúng phần mở rộng của tệp.",
            )
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in CONVERTED_SUFFIXES:
        return "office"
    if suffix in HTML_SUFFIXES or _HTML_START.match(head):
        return "html"  # a web page saved as .txt still loses its markup and navigation
    return "text"


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(f"Không đọc được tệp “{path.name}”: {exc.strerror}.",
                          hint="Hãy kiểm tra quyền truy cập tệp.") from exc


def _document(pages: list[Page], decoded: DecodedText, name: str) -> LoadedDocument:
    pages = [Page(unicodedata.normalize("NFC", p.text), p.page, p.ocr) for p in pages]
    if not any(p.text.strip() for p in pages):
        raise EmptyDocument(f"Tệp “{name}” không có nội dung văn bản.", hint="Hãy kiểm tra lại tệp trước khi nạp.")
    return LoadedDocument(tuple(pages), decoded.encoding, decoded.notes)


def _load_html(data: bytes, name: str) -> LoadedDocument:
    from ingest.office import declared_charset, html_text

    charset = declared_charset(data)
    decoded: DecodedText | None = None
    if charset and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            decoded = DecodedText(data.decode(charset), charset)
        except UnicodeDecodeError:
            decoded = None  # the declaration lies: detect instead
    if decoded is None:
        decoded = decode_bytes(data, name)
    text = html_text(decoded.text, name)
    fixed = fix_mojibake(text, name)  # old sites set TCVN3/VNI text in .VnTime fonts under a Latin charset
    if fixed.encoding:
        text, decoded = fixed.text, DecodedText(fixed.text, fixed.encoding, decoded.notes + fixed.notes)
    return _document([Page(text, None)], decoded, name)


def _load_docx(path: Path, name: str | None = None, kind: str = "docx") -> LoadedDocument:
    from ingest.office import docx_text

    name = name or path.name
    text = docx_text(path, name)
    fixed = fix_mojibake(text, name)  # Word files typed in .VnTime/VNI-Times fonts
    decoded = DecodedText(fixed.text if fixed.encoding else text, fixed.encoding or kind, fixed.notes)
    return _document([Page(decoded.text, None)], decoded, name)


def _load_converted(path: Path, settings: Settings) -> LoadedDocument:
    from ingest.libreoffice import converted_to_docx

    with converted_to_docx(path, timeout_s=settings.office_timeout_s) as docx:
        return _load_docx(docx, path.name, path.suffix.lower().lstrip("."))


def _load_pdf(path: Path, settings: Settings, on_page: PageProgress | None) -> LoadedDocument:
    from ingest.pdf import extract_pages

    pages, notes = extract_pages(
        path,
        max_pages=settings.max_pdf_pages,
        timeout_s=settings.pdf_timeout_s,
        memory_mb=settings.pdf_memory_mb,
        ocr_page_timeout_s=settings.ocr_page_timeout_s if settings.ocr_enabled else None,
        on_page=on_page,
    )
    joined = _PAGE_SEPARATOR.join(p.text for p in pages)
    fixed = fix_mojibake(joined, path.name)  # PDF fonts with TCVN3/VNI encodings and no ToUnicode map
    if fixed.encoding:
        texts = fixed.text.split(_PAGE_SEPARATOR)
        if len(texts) == len(pages):
            pages = [Page(text, p.page, p.ocr) for text, p in zip(texts, pages, strict=True)]
    decoded = DecodedText("", fixed.encoding or "pdf", tuple(notes) + fixed.notes)
    return _document(pages, decoded, path.name)
