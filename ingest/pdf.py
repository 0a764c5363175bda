"""PDF text extraction with pypdf, isolated in a child process.

pypdf has fixed dozens of denial-of-service shapes (decompression bombs, circular cross-reference
chains, cyclic outlines and page trees) and will keep finding new ones, so a hostile file must not be
able to hang or kill the ingest: the text is extracted by `python -m ingest.pdf` in a fresh process
with an address-space limit (RLIMIT_AS) and a CPU limit, under a wall-clock timeout enforced by the
parent. The child prints one JSON object; the parent turns failures into `PdfProblem` messages.

This module imports nothing heavy at import time: the child must start fast and fit its memory limit.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ingest.models import Page

if TYPE_CHECKING:
    from ingest.pdf_plumber import Plumber
    from ingest.pdf_tables import Grid

PageProgress = Callable[[int, int], None]  # (pages recognised so far, pages to recognise)

_ROOT = Path(__file__).resolve().parent.parent


def extract_pages(
    path: Path, *, max_pages: int, timeout_s: float, memory_mb: int,
    ocr_page_timeout_s: float | None = None, on_page: PageProgress | None = None,
) -> tuple[list[Page], list[str]]:
    """Text of every page (1-based numbers) and notes for the user; raises PdfProblem/FileTooLarge.

    With `ocr_page_timeout_s`, pages without a usable text layer are recognised by Tesseract (Page.ocr),
    each within that time; `on_page(done, total)` is told after each such page.
    """
    from core.errors import PdfProblem

    name = path.name
    unavailable = None
    if ocr_page_timeout_s is not None:
        from ingest.ocr import missing_tools

        unavailable = missing_tools()
    command = [
        sys.executable, "-m", "ingest.pdf", str(path.resolve()),
        "--max-pages", str(max_pages), "--memory-mb", str(memory_mb), "--cpu-s", str(int(timeout_s) + 1),
    ]
    if ocr_page_timeout_s is not None and unavailable is None:
        command += ["--ocr-page-timeout-s", str(ocr_page_timeout_s)]
    try:
        result, returncode, stderr = _run_child(command, timeout_s, ocr_page_timeout_s or 0.0, on_page)
    except subprocess.TimeoutExpired as exc:
        raise PdfProblem(
            f"Đọc tệp PDF “{name}” quá {timeout_s:g} giây nên đã dừng: tệp PDF bị hỏng hoặc có cấu trúc "
            "bất thường (có thể cố ý gây treo).",
            hint="Hãy mở tệp bằng trình đọc PDF và in/lưu lại thành PDF mới, hoặc tăng NGHIQUYET_PDF_TIMEOUT_S.",
        ) from exc
    if result is None:
        raise _crashed(name, returncode, stderr, memory_mb)
    if "error" in result:
        raise _problem(name, result, max_pages=max_pages, memory_mb=memory_mb)
    texts: list[str] = result["pages"]
    failed: list[int] = result.get("failed", [])
    recognised: set[int] = set(result.get("ocr", []))
    ocr_failed: dict[str, str] = result.get("ocr_failed", {})
    pages = [Page(text, number, ocr=number in recognised) for number, text in enumerate(texts, start=1)]
    if not any(text.strip() for text in texts):
        why = f" ({unavailable})" if unavailable else (" (nhận dạng chữ không đọc được trang nào)" if ocr_failed else "")
        raise PdfProblem(
            f"Tệp PDF “{name}” không có lớp chữ (chỉ có hình ảnh, ví dụ bản scan) trên cả {len(texts)} trang: "
            f"cần nhận dạng ký tự (OCR) trước khi nạp{why}.",
            hint=_OCR_HINT,
        )
    notes = []
    if recognised:
        notes.append(
            f"Đã nhận dạng chữ từ ảnh (OCR) ở {len(recognised)} trang: trang {_ranges(sorted(recognised))}; "
            "trích dẫn từ các trang này được ghi chú “văn bản nhận dạng từ ảnh”, nên đối chiếu số liệu với bản gốc."
        )
    blank = set(result.get("blank", []))  # recognised and found empty: nothing to OCR there
    empty = [
        n for n, text in enumerate(texts, start=1)
        if not text.strip() and n not in failed and n not in blank and str(n) not in ocr_failed
    ]
    if empty:
        reason = f" ({unavailable})" if unavailable else ""
        notes.append(f"{len(empty)} trang không có lớp chữ (ảnh scan), cần OCR{reason}: trang {_ranges(empty)}.")
    if ocr_failed:
        numbers = sorted(int(n) for n in ocr_failed)
        first = ocr_failed[str(numbers[0])]
        notes.append(f"Không nhận dạng được chữ ở {len(numbers)} trang ảnh: trang {_ranges(numbers)} ({first}).")
    if failed:
        notes.append(f"Không đọc được chữ ở {len(failed)} trang bị hỏng: trang {_ranges(failed)}.")
    return pages, notes


_OCR_HINT = (
    "Hãy cài Tesseract tiếng Việt và Ghostscript (Debian: apt-get install tesseract-ocr tesseract-ocr-vie "
    "ghostscript) rồi nạp lại, hoặc tự chạy OCR (ví dụ: ocrmypdf -l vie tep.pdf tep-ocr.pdf) và nạp tệp kết quả."
)


def _run_child(
    command: list[str], timeout_s: float, ocr_page_timeout_s: float, on_page: PageProgress | None,
) -> tuple[dict[str, Any] | None, int, bytes]:
    """Run the child; its stdout is JSON lines: OCR progress ({"progress": [done, total]}), then the result.

    The wall clock allows `timeout_s` for reading the file, then each recognised page its own time
    (rendering and recognition, each bounded in the child): a long scan is not cut off midway.
    """
    import selectors
    import tempfile
    import time

    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryFile() as errors:
        # Run from the project root so the child imports this very `ingest` package, installed or not.
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env, cwd=_ROOT)
        assert child.stdout is not None
        deadline = time.monotonic() + timeout_s
        buffer = b""
        last: dict[str, Any] | None = None
        with selectors.DefaultSelector() as selector:
            selector.register(child.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    child.kill()
                    child.wait()
                    raise subprocess.TimeoutExpired(command, timeout_s)
                block = os.read(child.stdout.fileno(), 65536)
                if not block:
                    break
                buffer += block
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    value = _parse(line)
                    if value is not None and "progress" in value:
                        done, total = value["progress"]
                        deadline = time.monotonic() + 2 * ocr_page_timeout_s + 15
                        if on_page is not None and done:
                            on_page(done, total)
                    elif value is not None:
                        last = value
        if buffer.strip():
            last = _parse(buffer)
        returncode = child.wait()
        errors.seek(0)
        return last, returncode, errors.read()


def _parse(stdout: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _ranges(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (", …" if len(numbers) > 10 else "")


def _crashed(name: str, returncode: int, stderr: bytes, memory_mb: int) -> Exception:
    from core.errors import PdfProblem

    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if "MemoryError" in stderr.decode("utf-8", "replace") or returncode in (-9, 137):
        return PdfProblem(
            f"Đọc tệp PDF “{name}” vượt giới hạn bộ nhớ {memory_mb} MB nên đã dừng: tệp PDF bị hỏng hoặc "
            "chứa dữ liệu nén bất thường.",
            hint="Hãy in/lưu lại thành PDF mới, hoặc tăng NGHIQUYET_PDF_MEMORY_MB.",
        )
    return PdfProblem(
        f"Tệp PDF “{name}” bị hỏng: tiến trình đọc PDF dừng bất thường (mã {returncode}; {tail[0][:200]}).",
        hint="Hãy mở tệp bằng trình đọc PDF và lưu lại thành PDF mới, hoặc xin bản gốc.",
    )


def _problem(name: str, result: dict[str, Any], *, max_pages: int, memory_mb: int) -> Exception:
    from core.errors import FileTooLarge, PdfProblem

    kind, detail = result["error"], str(result.get("detail", ""))[:200]
    if kind == "encrypted":
        return PdfProblem(
            f"Tệp “{name}”: PDF được mã hoá (có mật khẩu) nên không đọc được nội dung.",
            hint="Hãy xin bản không đặt mật khẩu, hoặc mở bằng mật khẩu rồi in ra PDF mới và nạp lại.",
        )
    if kind == "no_pages":
        return PdfProblem(
            f"Tệp PDF “{name}” không có trang nào.",
            hint="Hãy kiểm tra lại tệp, hoặc xin bản gốc.",
        )
    if kind == "too_many_pages":
        return FileTooLarge(
            f"Tệp PDF “{name}” có {result.get('pages')} trang, vượt giới hạn {max_pages} trang nên không nạp.",
            hint="Hãy tách tệp thành nhiều phần, hoặc tăng NGHIQUYET_MAX_PDF_PAGES.",
        )
    if kind == "limit":
        return PdfProblem(
            f"Tệp PDF “{name}” bị hỏng hoặc độc hại: dữ liệu nén giải ra quá lớn ({detail}).",
            hint="Hãy in/lưu lại thành PDF mới bằng trình đọc PDF, hoặc xin bản gốc.",
        )
    if kind == "memory":
        return PdfProblem(
            f"Đọc tệp PDF “{name}” vượt giới hạn bộ nhớ {memory_mb} MB nên đã dừng: tệp PDF bị hỏng hoặc "
            "chứa dữ liệu nén bất thường.",
            hint="Hãy in/lưu lại thành PDF mới, hoặc tăng NGHIQUYET_PDF_MEMORY_MB.",
        )
    # The reader's own words (e.g. "PdfStreamError: Stream has ended unexpectedly") stay out of the message.
    return PdfProblem(
        f"Tệp PDF “{name}” bị hỏng hoặc không phải PDF hợp lệ: trình đọc PDF không đọc được cấu trúc của tệp.",
        hint="Hãy mở tệp bằng trình đọc PDF và lưu lại thành PDF mới, hoặc xin bản gốc.",
    )


# --- the child process -------------------------------------------------------------------------------
def _limit_resources(memory_mb: int, cpu_s: int, ocr_cpu_s: int) -> None:
    """Address space for the child and what it runs (Ghostscript, Tesseract inherit it); CPU for pypdf.

    The hard CPU limit leaves room for recognising every page; the soft one is raised page by page
    (`_allow_cpu`) only once pypdf is done, so a hostile file still gets `cpu_s` seconds to parse."""
    try:
        import resource
    except ImportError:  # not POSIX: only the parent's wall-clock limit applies
        return

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1 + ocr_cpu_s))


def _allow_cpu(seconds: float) -> None:
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    wanted = int(used.ru_utime + used.ru_stime + seconds) + 1
    if hard == resource.RLIM_INFINITY or wanted <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (max(soft, wanted), hard))


def _extract(path: str, max_pages: int, ocr_page_timeout_s: float | None = None) -> dict[str, Any]:
    import logging

    logging.disable(logging.WARNING)  # pypdf logs every recoverable oddity; the parent reports what matters
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (NotImplementedError, PyPdfError) as exc:
                return {"error": "encrypted", "detail": str(exc)}
            if not opened:
                return {"error": "encrypted"}
        count = len(reader.pages)
    except FileNotDecryptedError as exc:
        return {"error": "encrypted", "detail": str(exc)}
    except LimitReachedError as exc:
        return {"error": "limit", "detail": str(exc)}
    except MemoryError:
        return {"error": "memory"}
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, AssertionError) as exc:
        return {"error": "corrupt", "detail": f"{type(exc).__name__}: {exc}"}
    if count == 0:
        return {"error": "no_pages"}
    if count > max_pages:
        return {"error": "too_many_pages", "pages": count}
    texts: list[str] = []
    failed: list[int] = []
    grid: Grid | None = None  # of the last table seen: its rows may go on over the next page
    from ingest.pdf_plumber import Plumber

    plumber = Plumber(path)
    for number in range(1, count + 1):
        try:
            text, grid = _page_text(reader.pages[number - 1], grid, plumber, number)
            texts.append(text)
        except LimitReachedError as exc:
            return {"error": "limit", "detail": f"trang {number}: {exc}"}
        except MemoryError:
            return {"error": "memory"}
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                ZeroDivisionError, OSError, AssertionError, UnicodeError):
            texts.append("")  # one damaged page must not cost the others
            failed.append(number)
    recognised: list[int] = []
    ocr_failed: dict[str, str] = {}
    blank: list[int]
    if ocr_page_timeout_s is not None:
        recognised, blank, ocr_failed = _recognise(path, texts, failed, ocr_page_timeout_s)
        failed = [n for n in failed if n not in recognised and n not in blank]
    else:
        blank = []
    if failed and len(failed) == count:
        return {"error": "corrupt", "detail": "không trang nào đọc được"}
    return {"pages": texts, "failed": failed, "ocr": recognised, "blank": blank, "ocr_failed": ocr_failed}


def _needs_ocr(text: str) -> bool:
    """No text layer worth keeping: (almost) no letters, or mostly glyphs without a Unicode meaning
    (private-use code points, U+FFFD, control characters, pdfminer-style "(cid:12)")."""
    visible = [ch for ch in text if not ch.isspace()]
    if sum(ch.isalpha() for ch in visible) < 20:
        return True
    junk = sum(1 for ch in visible if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or ord(ch) < 32)
    junk += 5 * text.count("(cid:")
    return junk > 0.3 * len(visible)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _recognise(
    path: str, texts: list[str], failed: list[int], timeout_s: float,
) -> tuple[list[int], list[int], dict[str, str]]:
    """OCR every page without a usable text layer, in place.

    Returns (pages recognised, pages found blank, {page: why recognition failed})."""
    from ingest.ocr import OcrFailed, ocr_page

    todo = [n for n in range(1, len(texts) + 1) if n in failed or _needs_ocr(texts[n - 1])]
    recognised: list[int] = []
    blank: list[int] = []
    problems: dict[str, str] = {}
    _tell({"progress": [0, len(todo)]})
    for done, number in enumerate(todo, start=1):
        _allow_cpu(timeout_s)
        try:
            text = ocr_page(path, number, timeout_s=timeout_s)
        except OcrFailed as exc:
            problems[str(number)] = str(exc)
        except MemoryError:
            problems[str(number)] = "hết bộ nhớ cho phép"
        else:
            if _letters(text) > _letters(texts[number - 1]):  # a stamped page number must not win over a scan
                texts[number - 1] = text
                recognised.append(number)
            elif not texts[number - 1].strip() and not text.strip():
                blank.append(number)
        _tell({"progress": [done, len(todo)]})
    return recognised, blank, problems


def _tell(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
    sys.stdout.flush()


_FIGURES = re.compile(r"(?<![\w.,])\d[\d.,]*")


def _page_text(page: Any, grid: Grid | None, plumber: Plumber, number: int) -> tuple[str, Grid | None]:
    """The page's text; a page with a table gets its columns back: from the table's rules when it
    has them (pdfplumber), else from the layout text (see benchmarks/pdf_table_bench.py). A page
    whose glyphs pypdf reads out of order (fallback fonts) is read by pdfplumber instead.

    `grid`: the columns of the table on the pages before, whose last rows may be on this one.
    """
    from ingest.pdf_plumber import MIN_READABLE, readability
    from ingest.pdf_tables import MIN_COLUMNS, MIN_ROWS, tabulate_layout

    text = page.extract_text() or ""
    reordered = False
    score = readability(text)
    if score < MIN_READABLE:
        better = plumber.text(number)
        if better is not None and readability(better) > score:
            text, reordered = better, True
    # Table extraction costs several times the plain one: only for pages with lines full of figures.
    rows = sum(1 for line in text.split("\n") if len(_FIGURES.findall(line)) >= MIN_COLUMNS)
    if rows == 0:
        return text, None
    ruled_text = plumber.ruled(number)  # also for a page of a few rows: the end of a ruled table from the page before
    if ruled_text is not None:
        return ruled_text, None
    if rows < (1 if grid else MIN_ROWS):
        return text, None
    from pypdf.errors import LimitReachedError

    try:
        layout = plumber.text(number, layout=True) if reordered else page.extract_text(extraction_mode="layout")
        tabulated, grid = tabulate_layout(layout or "", grid)
    except LimitReachedError:
        raise
    except Exception:  # noqa: BLE001 - layout mode is a refinement: the plain text stands when it fails
        return text, None
    return (tabulated if tabulated is not None else text), grid


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Extract PDF text as JSON (runs in a sandboxed child).")
    parser.add_argument("path")
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-s", type=int, required=True)
    parser.add_argument("--ocr-page-timeout-s", type=float, default=None)
    args = parser.parse_args(argv)
    ocr_s = args.ocr_page_timeout_s
    _limit_resources(args.memory_mb, args.cpu_s, int(ocr_s * args.max_pages) if ocr_s else 0)
    try:
        result = _extract(args.path, args.max_pages, ocr_s)
    except MemoryError:
        result = {"error": "memory"}
    except Exception as exc:  # noqa: BLE001 - any other pypdf failure means a broken file, reported as such
        result = {"error": "corrupt", "detail": f"{type(exc).__name__}: {exc}"}
    _tell(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
