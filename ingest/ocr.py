"""Text of scanned PDF pages: Ghostscript renders the page, it is deskewed, Tesseract reads it (Vietnamese).

Both programs are called as plain executables (Debian `ghostscript`, `tesseract-ocr`, `tesseract-ocr-vie`):
no Python wrapper adds anything a subprocess with a timeout does not already give, and the call runs
inside the resource-limited child of `ingest.pdf`, so the limits of that child hold for them too.

A scan is rarely straight: Tesseract's line finder loses accuracy beyond about half a degree of skew, so
the page is turned upright first (projection profile: the angle whose row sums of ink vary the most
is the one where text lines are horizontal). A median filter removes isolated speckle a photocopier or
scanner leaves, which Tesseract otherwise reads as accents and punctuation.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

LANGUAGE = "vie"
DPI = 300               # Tesseract's models are trained on ~300 dpi text; lower loses diacritics
_MAX_SKEW_DEG = 5.0     # scans are fed by hand, not upside down: a wider search only adds false peaks
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread: the machine is shared, the page is small


class OcrFailed(Exception):
    """One page could not be recognised (timeout, crash); the other pages go on."""


def missing_tools() -> str | None:
    """Why OCR cannot run here, in Vietnamese (None: it can)."""
    if shutil.which("tesseract") is None:
        return "chưa cài Tesseract (gói Debian tesseract-ocr, tesseract-ocr-vie)"
    if shutil.which("gs") is None:
        return "chưa cài Ghostscript (gói Debian ghostscript) để chuyển trang PDF thành ảnh"
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False, env=_ENV)
    except (OSError, subprocess.TimeoutExpired):
        return "không chạy được Tesseract"
    if LANGUAGE not in listed.stdout.decode("utf-8", "replace").split():
        return "Tesseract thiếu dữ liệu tiếng Việt (gói Debian tesseract-ocr-vie)"
    return None


def render_page(pdf_path: str, number: int, *, timeout_s: float, dpi: int = DPI) -> Image.Image:
    """Page `number` (1-based) of the PDF as a grayscale image."""
    from PIL import Image

    command = [
        "gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dNOPROMPT", "-sDEVICE=pnggray", f"-r{dpi}",
        f"-dFirstPage={number}", f"-dLastPage={number}", "-dTextAlphaBits=4", "-dGraphicsAlphaBits=4",
        "-sOutputFile=%stdout", "-f", pdf_path,
    ]
    done = _run(command, b"", timeout_s, "Ghostscript")
    try:
        image = Image.open(io.BytesIO(done))
        image.load()
    except Exception as exc:  # noqa: BLE001 - whatever Pillow says, the page has no image to read
        raise OcrFailed(f"Ghostscript không tạo được ảnh trang {number}") from exc
    return image.convert("L")


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """The image turned so its text lines are horizontal, and the angle turned (degrees, counter-clockwise)."""
    import numpy as np
    from PIL import Image as PILImage

    scale = 800 / max(image.width, 1)
    small = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))), PILImage.Resampling.BOX)
    ink = PILImage.fromarray(((np.asarray(small) < 160) * 255).astype("uint8"))
    if not np.asarray(ink).any():
        return image, 0.0

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=PILImage.Resampling.NEAREST), dtype=np.float64).sum(axis=1)
        return float(np.sum(np.diff(rows) ** 2))

    coarse = [a / 4 for a in range(int(-_MAX_SKEW_DEG * 4), int(_MAX_SKEW_DEG * 4) + 1)]
    best = max(coarse, key=sharpness)
    fine = [best + a / 20 for a in range(-5, 6)]
    best = max(fine, key=sharpness)
    if abs(best) < 0.1:
        return image, 0.0
    turned = image.rotate(best, resample=PILImage.Resampling.BICUBIC, expand=True, fillcolor=255)
    return turned, best


def clean(image: Image.Image) -> Image.Image:
    """Black text on white: isolated specks removed (a 3×3 median keeps strokes, several pixels wide at
    300 dpi), the grey grain of the paper thresholded away (Otsu), and the specks the threshold leaves."""
    import numpy as np
    from PIL import ImageFilter

    smooth = image.filter(ImageFilter.MedianFilter(3))
    histogram = np.bincount(np.asarray(smooth).ravel(), minlength=256).astype(np.float64)
    threshold = _otsu(histogram)
    binary = smooth.point(lambda v: 255 if v > threshold else 0)
    return binary.filter(ImageFilter.MedianFilter(3))


def _otsu(histogram: Any) -> int:
    """The grey level that best separates ink from paper (Otsu 1979: maximal between-class variance)."""
    import numpy as np

    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(histogram)
    total = weight[-1]
    mass = np.cumsum(histogram * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * weight / total - mass) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between[:-1], nan=0.0, posinf=0.0)
    return int(np.argmax(between))


def recognise(image: Image.Image, *, timeout_s: float, dpi: int = DPI) -> str:
    """Tesseract's text of an upright page image (Vietnamese model, automatic page segmentation)."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    command = ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(dpi), "--psm", "3"]
    return _run(command, buffer.getvalue(), timeout_s, "Tesseract").decode("utf-8", "replace")


def ocr_page(pdf_path: str, number: int, *, timeout_s: float) -> str:
    """Recognised text of one PDF page; raises OcrFailed."""
    image = render_page(pdf_path, number, timeout_s=timeout_s)
    upright, _ = deskew(image)
    return tidy(recognise(clean(upright), timeout_s=timeout_s))


# Specks the filter leaves are read as lone marks (". ' _ “ ¬") between words or glued into them
# ("NGHỊ'QUYẾT", "năm .là"); Vietnamese never writes a quote inside a word or a full stop before one.
_LONE_MARKS = re.compile(r"(?:(?<=\s)|^)[.,:;'\"`_“”‘’¬~^*•·|‹›«»]{1,2}(?=\s|$)", re.MULTILINE)
_MARK_IN_WORD = re.compile(r"(?<=[^\W\d_])['`’‘\"“”](?=[^\W\d_])")
_MARK_BEFORE_WORD = re.compile(r"(?<=\s)[.,:;'`’‘_](?=[^\W\d_])")
_MARK_AFTER_PAREN = re.compile(r"(?<=[)\]])['`’‘\"“”](?=\s|$)", re.MULTILINE)
# "(8)" read with a brace or bracket: the item numbers of a resolution's list of targets
_ITEM_NUMBER = re.compile(r"[{\[(]\s*(\d{1,2})\s*[)}\]]")


def tidy(text: str) -> str:
    """Tesseract's text without the marks specks leave; list dashes and real punctuation stay."""
    text = _MARK_IN_WORD.sub(" ", text)
    text = _MARK_BEFORE_WORD.sub("", text)
    text = _MARK_AFTER_PAREN.sub("", text)
    text = _ITEM_NUMBER.sub(r"(\1)", text)
    text = _LONE_MARKS.sub("", text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _run(command: list[str], stdin: bytes, timeout_s: float, tool: str) -> bytes:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=timeout_s, check=False, env=_ENV)
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed(f"{tool} chạy quá {timeout_s:g} giây") from exc
    except OSError as exc:
        raise OcrFailed(f"không chạy được {tool} ({exc.strerror or exc})") from exc
    if done.returncode != 0:  # an empty output is an empty page (Tesseract says "Empty page!!" and exits 0)
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"mã {done.returncode}"]
        raise OcrFailed(f"{tool} lỗi: {tail[0][:160]}")
    return done.stdout
