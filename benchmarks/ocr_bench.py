"""OCR character accuracy on pages printed and scanned here: CER per page and overall.

Pages of the bundled Sóc Trăng resolution are printed (fpdf2, DejaVu Sans 11 pt), rendered by
Ghostscript at 300 dpi, turned slightly and speckled (tests/ingest/scans.py), then read back by
`ingest.ocr` exactly as ingestion does, and by Tesseract alone on the raw scan for comparison.

    python benchmarks/ocr_bench.py [--pages 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ingest")]

from ingest import ocr  # noqa: E402
from scans import cer, prose_pages, scanned_pdf  # noqa: E402

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ANGLES = (1.5, -1.2, 2.0, -1.8, 1.0, -0.6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()
    missing = ocr.missing_tools()
    if missing:
        print(f"OCR không chạy được: {missing}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        angles = tuple(ANGLES[i % len(ANGLES)] for i in range(args.pages))
        path, truth = scanned_pdf(Path(tmp) / "scan.pdf", FONT, pages=prose_pages(args.pages), angles=angles)
        total_chars = errors_ours = errors_raw = 0.0
        print(f"{'page':>4} {'angle':>6} {'found':>6} {'chars':>6} {'CER ingest':>10} {'CER raw':>8} {'s':>5}")
        for number, (expected, angle) in enumerate(zip(truth, angles, strict=True), start=1):
            started = time.perf_counter()
            image = ocr.render_page(str(path), number, timeout_s=120)
            upright, found = ocr.deskew(image)
            ours = ocr.tidy(ocr.recognise(ocr.clean(upright), timeout_s=120))
            seconds = time.perf_counter() - started
            raw = ocr.recognise(image, timeout_s=120)
            c_ours, c_raw = cer(expected, ours), cer(expected, raw)
            n = len(" ".join(expected.split()))
            total_chars += n
            errors_ours += c_ours * n
            errors_raw += c_raw * n
            print(f"{number:>4} {angle:>6.1f} {found:>6.2f} {n:>6} {c_ours:>10.2%} {c_raw:>8.2%} {seconds:>5.1f}")
        print(f"overall CER: ingest pipeline (deskew, clean, tidy) {errors_ours / total_chars:.2%}, "
              f"Tesseract on the raw scan {errors_raw / total_chars:.2%}, {int(total_chars)} characters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
