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

import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ingest")]

from printed_tables import norm, print_fpdf, print_web, source_rows  # noqa: E402


def layout_rows(path: Path, ruled: bool = False) -> list[list[str]]:
    """Rows of the PDF child's text: layout mode alone (the code before), or as ingestion runs it."""
    import ingest.pdf_plumber
    from ingest.pdf import _extract

    original = ingest.pdf_plumber.Plumber._read
    if not ruled:  # pypdf alone, as before pdfplumber came in
        ingest.pdf_plumber.Plumber._read = lambda self, number, read: None  # type: ignore[method-assign]
    try:
        result = _extract(str(path), 100)
    finally:
        ingest.pdf_plumber.Plumber._read = original  # type: ignore[method-assign]
    return [[norm(c) for c in line.split("\t")] for text in result["pages"] for line in text.split("\n") if "\t" in line]


def plumber_rows(path: Path, settings: dict[str, str] | None = None) -> list[list[str]]:
    import pdfplumber

    out = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables(settings or {}):
                out.extend([norm(c or "") for c in row] for row in table)
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
    from core.config import Settings

    cells = {c for r in truth for c in r}
    rows = [c for c in prepare_document(path, Settings(store_dir=store)).chunks if c.kind == "table_row"]
    bad = sum(1 for c in rows if any(re.search(r"\d", v) and norm(v) not in cells for _, v in c.extra))
    return len(rows), bad


def main() -> int:
    truth = source_rows()
    data_rows = len(truth) - 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"source table: {data_rows} rows + header")
        print(f"{'PDF':<22} {'method':<22} {'correct':>8} {'mixed':>6} {'rows':>5}")
        makers = (
            ("web page, ruled", print_web),
            ("web page, no rules", lambda rows, work: print_web(rows, work, ruled=False)),
            ("web, DejaVu, ruled", lambda rows, work: print_web(rows, work, font="DejaVu Sans")),
            ("web, DejaVu, no rules", lambda rows, work: print_web(rows, work, ruled=False, font="DejaVu Sans")),
            ("fpdf2 table", print_fpdf),
        )
        for name, make in makers:
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
