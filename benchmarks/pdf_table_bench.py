"""PDF appendix tables: pypdf layout mode (ingest.pdf_tables) against pdfplumber's table extraction.

The Sóc Trăng appendix (bundled corpus) is printed to PDF two ways that break cells: LibreOffice
printing it as a web page (narrow columns, names and units wrapped inside their cells, the table
running over pages with its header on the first one only), and fpdf2's table (header on the first
page only, right-aligned figures). Each method's rows are compared with the table as written:

- correct: a row whose cells are exactly the cells of one row of the source table;
- mixed:   a row with a cell holding a figure that is no cell of the source (cells of two columns or
           two rows glued: "Từ 7,5 trở 185");
- chunks:  after the whole ingestion (`prepare_document`), table-row chunks whose values are not cells
           of the source (must be 0: an unclean row is indexed as plain text).

    python benchmarks/pdf_table_bench.py
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.libreoffice import soffice  # noqa: E402

SOURCE = ROOT / "data" / "corpus" / "soc-trang-nq-nhiem-vu-2020.txt"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def source_rows() -> list[list[str]]:
    text = SOURCE.read_text(encoding="utf-8")
    rows = [[_norm(re.sub(r"</?i>", "", c)) for c in line.split("\t")] for line in text.split("\n") if line.count("\t") >= 3]
    header = rows[0]
    return [header] + [r for r in rows if r != header]


def _norm(text: str) -> str:
    return " ".join(text.split())


def print_web(rows: list[list[str]], work: Path) -> Path:
    """The table as a browser prints a web page (LibreOffice's HTML → PDF)."""
    header, body = rows[0], rows[1:]
    cells = lambda r, tag: "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in (r + [""] * 7)[:7])  # noqa: E731
    page = (
        '<html><head><meta charset="utf-8"><style>table{border-collapse:collapse;width:100%} '
        "td,th{border:1px solid #000;font-size:10pt;padding:2px}</style></head><body>"
        "<p>PHỤ LỤC</p><p>CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH SÓC TRĂNG</p><table border=\"1\" cellspacing=\"0\">"
        f"<tr>{cells(header, 'th')}</tr>" + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in body)
        + "</table><p>Nghị quyết này có hiệu lực từ ngày ký.</p></body></html>"
    )
    source = work / "soc-trang-web.html"
    source.write_text(page, encoding="utf-8")
    program = soffice()
    assert program, "cần LibreOffice (libreoffice-writer-nogui)"
    subprocess.run(
        [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to",
         "pdf:writer_web_pdf_Export", "--outdir", str(work), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return work / "soc-trang-web.pdf"


def print_fpdf(rows: list[list[str]], work: Path) -> Path:
    """The table drawn by fpdf2: header on the first page only, long names wrapped in their cells."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L")
    pdf.add_font("vn", fname=str(FONT))
    pdf.add_font("vn", style="B", fname=str(FONT))
    pdf.set_font("vn", size=8)
    pdf.add_page()
    pdf.multi_cell(0, 6, "PHỤ LỤC CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH SÓC TRĂNG", new_x="LMARGIN", new_y="NEXT")
    align = ("CENTER", "LEFT", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    with pdf.table(col_widths=(10, 80, 25, 25, 25, 25, 30), text_align=align, repeat_headings=0) as grid:
        for cells in rows:
            row = grid.row()
            for cell in (cells + [""] * 7)[:7]:
                row.cell(cell)
    path = work / "soc-trang-fpdf.pdf"
    pdf.output(str(path))
    return path


def layout_rows(path: Path, ruled: bool = False) -> list[list[str]]:
    """Rows of the PDF child's text: layout mode alone (the code before), or as ingestion runs it."""
    import ingest.pdf_ruled
    from ingest.pdf import _extract

    original = ingest.pdf_ruled.RuledTables.text
    if not ruled:
        ingest.pdf_ruled.RuledTables.text = lambda self, number: None  # type: ignore[method-assign]
    try:
        result = _extract(str(path), 100)
    finally:
        ingest.pdf_ruled.RuledTables.text = original  # type: ignore[method-assign]
    return [[_norm(c) for c in line.split("\t")] for text in result["pages"] for line in text.split("\n") if "\t" in line]


def plumber_rows(path: Path, settings: dict[str, str] | None = None) -> list[list[str]]:
    import pdfplumber

    out = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables(settings or {}):
                out.extend([_norm(c or "") for c in row] for row in table)
    return out


def score(rows: list[list[str]], truth: list[list[str]]) -> tuple[int, int, int]:
    """(source rows recovered exactly, rows with a glued figure cell, rows extracted)."""
    exact = {tuple(c for c in r if c) for r in truth}
    cells = {c for r in truth for c in r}
    recovered = {tuple(c for c in r if c) for r in rows} & exact
    mixed = sum(1 for r in rows if any(re.search(r"\d", c) and c not in cells for c in r))
    return len(recovered), mixed, len(rows)


def chunk_errors(path: Path, truth: list[list[str]], store: Path) -> tuple[int, int]:
    """(table-row chunks, of which with a value that is no cell of the source)."""
    from ingest.pipeline import prepare_document
    from nghiquyet.config import Settings

    cells = {c for r in truth for c in r}
    rows = [c for c in prepare_document(path, Settings(store_dir=store)).chunks if c.kind == "table_row"]
    bad = sum(1 for c in rows if any(re.search(r"\d", v) and _norm(v) not in cells for _, v in c.extra))
    return len(rows), bad


def main() -> int:
    truth = source_rows()
    data_rows = len(truth) - 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"source table: {data_rows} rows + header")
        print(f"{'PDF':<22} {'method':<22} {'correct':>8} {'mixed':>6} {'rows':>5}")
        for name, make in (("web page (LibreOffice)", print_web), ("fpdf2 table", print_fpdf)):
            path = make(truth, work)
            methods = (
                ("pypdf layout mode", layout_rows),
                ("pdfplumber (lines)", plumber_rows),
                ("pdfplumber (text)", lambda p: plumber_rows(p, {"vertical_strategy": "text", "horizontal_strategy": "text"})),
                ("combined (ingestion)", lambda p: layout_rows(p, ruled=True)),
            )
            for method, extract in methods:
                correct, mixed, count = score(extract(path), truth)
                print(f"{name:<22} {method:<22} {correct:>5}/{data_rows + 1:<2} {mixed:>6} {count:>5}")
            chunks, bad = chunk_errors(path, truth, work / "store")
            print(f"{name:<22} {'ingested chunks':<22} {chunks:>8} table-row chunks, {bad} with a glued value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
