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
from typing import TYPE_CHECKING, Any

from ingest.models import Page

if TYPE_CHECKING:
    from ingest.pdf_tables import Grid

_ROOT = Path(__file__).resolve().parent.parent


def extract_pages(path: Path, *, max_pages: int, timeout_s: float, memory_mb: int) -> tuple[list[Page], list[str]]:
    """Text of every page (1-based numbers) and notes for the user; raises PdfProblem/FileTooLarge."""
    from core.errors import PdfProblem

    name = path.name
    command = [
        sys.executable, "-m", "ingest.pdf", str(path.resolve()),
        "--max-pages", str(max_pages), "--memory-mb", str(memory_mb), "--cpu-s", str(int(timeout_s) + 1),
    ]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONWARNINGS": "ignore"}
    try:
        # Run from the project root so the child imports this very `ingest` package, installed or not.
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, env=env, check=False, cwd=_ROOT)
    except subprocess.TimeoutExpired as exc:
        raise PdfProblem(
            f"Đọc tệp PDF “{name}” quá {timeout_s:g} giây nên đã dừng: tệp PDF bị hỏng hoặc có cấu trúc "
            "bất thường (có thể cố ý gây treo).",
            hint="Hãy mở tệp bằng trình đọc PDF và in/lưu lại thành PDF mới, hoặc tăng NGHIQUYET_PDF_TIMEOUT_S.",
        ) from exc
    result = _parse(done.stdout)
    if result is None:
        raise _crashed(name, done.returncode, done.stderr, memory_mb)
    if "error" in result:
        raise _problem(name, result, max_pages=max_pages, memory_mb=memory_mb)
    texts: list[str] = result["pages"]
    failed: list[int] = result.get("failed", [])
    pages = [Page(text, number) for number, text in enumerate(texts, start=1)]
    if not any(text.strip() for text in texts):
        raise PdfProblem(
            f"Tệp PDF “{name}” không có lớp chữ (chỉ có hình ảnh, ví dụ bản scan) trên cả {len(texts)} trang: "
            "cần nhận dạng ký tự (OCR) trước khi nạp.",
            hint="Hãy chạy OCR tiếng Việt (ví dụ: ocrmypdf -l vie tep.pdf tep-ocr.pdf) rồi nạp tệp kết quả.",
        )
    notes = []
    empty = [p.page for p in pages if not p.text.strip() and p.page not in failed]
    if empty:
        notes.append(f"{len(empty)} trang không có lớp chữ (ảnh scan), cần OCR: trang {_ranges(empty)}.")
    if failed:
        notes.append(f"Không đọc được chữ ở {len(failed)} trang bị hỏng: trang {_ranges(failed)}.")
    return pages, notes


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
def _limit_resources(memory_mb: int, cpu_s: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: only the parent's wall-clock limit applies
        return

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def _extract(path: str, max_pages: int) -> dict[str, Any]:
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
    for number in range(1, count + 1):
        try:
            text, grid = _page_text(reader.pages[number - 1], grid)
            texts.append(text)
        except LimitReachedError as exc:
            return {"error": "limit", "detail": f"trang {number}: {exc}"}
        except MemoryError:
            return {"error": "memory"}
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
                ZeroDivisionError, OSError, AssertionError, UnicodeError):
            texts.append("")  # one damaged page must not cost the others
            failed.append(number)
    if failed and len(failed) == count:
        return {"error": "corrupt", "detail": "không trang nào đọc được"}
    return {"pages": texts, "failed": failed}


_FIGURES = re.compile(r"(?<![\w.,])\d[\d.,]*")


def _page_text(page: Any, grid: Grid | None) -> tuple[str, Grid | None]:
    """The page's text; a page with a table gets its columns back from pypdf's layout mode.

    `grid`: the columns of the table on the pages before, whose last rows may be on this one.
    """
    from ingest.pdf_tables import MIN_COLUMNS, MIN_ROWS, tabulate_layout

    text = page.extract_text() or ""
    # Layout extraction costs several times the plain one: only for pages with lines full of figures.
    rows = sum(1 for line in text.split("\n") if len(_FIGURES.findall(line)) >= MIN_COLUMNS)
    if rows < (1 if grid else MIN_ROWS):
        return text, None
    from pypdf.errors import LimitReachedError

    try:
        tabulated, grid = tabulate_layout(page.extract_text(extraction_mode="layout") or "", grid)
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
    args = parser.parse_args(argv)
    _limit_resources(args.memory_mb, args.cpu_s)
    try:
        result = _extract(args.path, args.max_pages)
    except MemoryError:
        result = {"error": "memory"}
    except Exception as exc:  # noqa: BLE001 - any other pypdf failure means a broken file, reported as such
        result = {"error": "corrupt", "detail": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
