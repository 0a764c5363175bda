"""The Sóc Trăng appendix (bundled corpus) printed to PDF in ways that break cells: as a browser prints a
web page (LibreOffice's HTML → PDF, with or without cell borders; names and units wrap inside their
cells, the table runs over pages with its header on the first page only) and as an fpdf2 table.

Used by the PDF table tests and by `benchmarks/pdf_table_bench.py`.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

from ingest.libreoffice import soffice

SOURCE = Path(__file__).resolve().parents[2] / "data" / "corpus" / "soc-trang-nq-nhiem-vu-2020.txt"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def source_rows() -> list[list[str]]:
    text = SOURCE.read_text(encoding="utf-8")
    rows = [[norm(re.sub(r"</?i>", "", c)) for c in line.split("\t")] for line in text.split("\n") if line.count("\t") >= 3]
    header = rows[0]
    return [header] + [r for r in rows if r != header]


def norm(text: str) -> str:
    return " ".join(text.split())


def print_web(rows: list[list[str]], work: Path, ruled: bool = True, font: str | None = None) -> Path:
    """The table as a browser prints a web page (LibreOffice's HTML → PDF), with or without cell borders.

    The default font (Liberation Serif) lacks some Vietnamese letters, which then come from a fallback
    font; `font` ("DejaVu Sans") has them all."""
    header, body = rows[0], rows[1:]
    cells = lambda r, tag: "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in (r + [""] * 7)[:7])  # noqa: E731
    family = f"font-family:'{font}';" if font else ""
    borders = ' border="1" cellspacing="0"' if ruled else ""
    page = (
        f'<html><head><meta charset="utf-8"><style>body{{{family}}} table{{border-collapse:collapse;width:100%}} '
        "td,th{font-size:10pt;padding:2px}</style></head><body>"
        f"<p>PHỤ LỤC</p><p>CHỈ TIÊU NGHỊ QUYẾT NĂM 2020 CỦA TỈNH SÓC TRĂNG</p><table{borders}>"
        f"<tr>{cells(header, 'th')}</tr>" + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in body)
        + "</table><p>Nghị quyết này có hiệu lực từ ngày ký.</p></body></html>"
    )
    source = work / f"soc-trang-web{'' if ruled else '-unruled'}{'-' + font.split()[0].lower() if font else ''}.html"
    source.write_text(page, encoding="utf-8")
    program = soffice()
    assert program, "cần LibreOffice (libreoffice-writer-nogui)"
    subprocess.run(
        [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--convert-to",
         "pdf:writer_web_pdf_Export", "--outdir", str(work), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return source.with_suffix(".pdf")


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
