"""Scanned PDFs made here from a bundled document: printed with fpdf2, rendered by Ghostscript, turned
slightly and speckled, then packed as an image-only PDF — what a photocopied resolution looks like.

Used by the OCR tests and by `benchmarks/ocr_bench.py`; the ground truth of each page is the text printed on it.
"""

from __future__ import annotations

import random
import re
import subprocess
import unicodedata
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
SOURCE = "soc-trang-nq-nhiem-vu-2020.txt"
DPI = 300


def prose_pages(count: int = 3, max_chars: int = 1700, source: str = SOURCE) -> list[list[str]]:
    """Paragraphs of the document's prose (no table rows), `count` pages of at most `max_chars` each."""
    text = (CORPUS / source).read_text(encoding="utf-8")
    paragraphs = [
        re.sub(r"</?i>", "", line).strip() for line in text.split("\n")
        if line.strip() and "\t" not in line
    ]
    pages: list[list[str]] = [[]]
    size = 0
    for paragraph in paragraphs:
        if len(paragraph) > max_chars:
            continue
        if size + len(paragraph) > max_chars:
            if len(pages) == count:
                break
            pages.append([])
            size = 0
        pages[-1].append(paragraph)
        size += len(paragraph)
    return pages


def print_pdf(pages: list[list[str]], path: Path, font: Path) -> Path:
    """A text PDF with exactly one page per entry of `pages`."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("vn", fname=str(font))
    pdf.set_font("vn", size=11)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))
    return path


def render(pdf: Path, out_dir: Path, dpi: int = DPI) -> list[Path]:
    """Every page of `pdf` as a grayscale PNG, by Ghostscript."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pattern = out_dir / "page-%03d.png"
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", f"-r{dpi}",
         "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4", f"-sOutputFile={pattern}", str(pdf)],
        check=True, timeout=300,
    )
    return sorted(out_dir.glob("page-*.png"))


def scan(image_path: Path, angle_deg: float, specks: int, seed: int):  # noqa: ANN201 - PIL image
    """The page as a scanner gives it back: turned a little, with dust specks and a grey background grain."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    page = Image.open(image_path).convert("L")
    page = page.rotate(angle_deg, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    draw = ImageDraw.Draw(page)
    for _ in range(specks):
        x, y = rng.randrange(page.width), rng.randrange(page.height)
        r = rng.choice((1, 1, 1, 2, 2, 3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randrange(0, 90))
    # grey paper grain, from the seed (Pillow's effect_noise draws from an unseeded C generator)
    noise = np.random.default_rng(seed).normal(128, 18, (page.height, page.width))
    grain = Image.fromarray(np.where(noise > 100, 255, 215).astype("uint8"), mode="L")
    return Image.blend(page, grain, 0.12)


def scanned_pdf(
    path: Path, font: Path, *, pages: list[list[str]] | None = None,
    angles: tuple[float, ...] = (1.5, -1.2, 2.0), specks: int = 2500, seed: int = 13,
) -> tuple[Path, list[str]]:
    """An image-only PDF of the prose pages, and the text printed on each page (ground truth)."""
    pages = pages or prose_pages(len(angles))
    work = path.parent / f"{path.stem}-work"
    work.mkdir(parents=True, exist_ok=True)
    printed = print_pdf(pages, work / "printed.pdf", font)
    images = [
        scan(png, angles[i % len(angles)], specks, seed + i)
        for i, png in enumerate(render(printed, work / "png"))
    ]
    images[0].save(path, "PDF", resolution=float(DPI), save_all=True, append_images=images[1:])
    return path, ["\n".join(p) for p in pages]


def cer(truth: str, read: str) -> float:
    """Character error rate: edit distance over the length of the truth, whitespace runs counted as one space."""
    a, b = _norm(truth), _norm(read)
    if not a:
        return 0.0 if not b else 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / len(a)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())
