"""`nghiquyet doctor`: health checks of the store, the embedder and the lexical index, with the fix."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.text import Text

from nghiquyet.cli.common import console, friendly_errors, make_settings, store_option
from core.config import Settings
from nghiquyet.engine import Engine
from core.errors import NghiquyetError

OK, WARN, FAIL = "ok", "warn", "fail"
_MARK = {OK: ("✓", "green"), WARN: ("!", "yellow"), FAIL: ("✗", "bold red")}


def _line(state: str, title: str, detail: str = "") -> None:
    mark, style = _MARK[state]
    console.print(Text.assemble((f"{mark} ", style), (title, "bold"), (f" — {detail}" if detail else "", "")))


def _attempt(func: Callable[[], str]) -> tuple[str, str]:
    """(state, detail) of one check: the library's own errors are findings, not crashes."""
    try:
        return OK, func()
    except NghiquyetError as exc:
        return FAIL, exc.user_message()


_PROBE = (
    "import json, sys\n"
    "from core.config import Settings\n"
    "from vectorstore.store import probe_local_search\n"
    "probe_local_search(Settings(**json.loads(sys.argv[1])))\n"
)


def _search_crash(settings: Settings, timeout_s: float = 300.0) -> str | None:
    """Why a vector search kills the process that runs it (a damaged index file), or None.

    Chroma's native code can crash with SIGSEGV on a damaged HNSW file rather than raise, so the first
    search runs in a child process; other failures are left to the checks below, which explain them.
    """
    if settings.server_mode:
        return None
    command = [sys.executable, "-c", _PROBE, json.dumps(settings.model_dump(mode="json"))]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return f"tìm kiếm vector không xong sau {timeout_s:.0f} giây"
    if done.returncode < 0:
        return f"tìm kiếm vector làm tiến trình kiểm tra bị dừng đột ngột (tín hiệu {-done.returncode})"
    return None


def _lexical_state(engine: Engine) -> tuple[str, str]:
    from retrieval.dense import DenseIndex
    from retrieval.hybrid import DENSE_DIR, LEXICAL_DIR
    from retrieval.lexical import LexicalIndex

    if not engine.store.documents():
        return OK, "kho trống, chưa cần chỉ mục"
    fingerprint = engine.store.fingerprint()
    lexical = LexicalIndex(engine.settings.store_dir / LEXICAL_DIR)
    if lexical.load(fingerprint) and DenseIndex(engine.settings.store_dir / DENSE_DIR).load(fingerprint, len(lexical)):
        return OK, "khớp với kho vector"
    return WARN, "chưa khớp với kho vector; sẽ tự dựng lại ở lần tìm kiếm đầu tiên (hoặc chạy `nghiquyet search …`)"


def run_checks(settings: Settings) -> tuple[bool, str | None]:
    """Print each check; (nothing failed, advice to print at the end)."""
    from vectorstore.lock import is_locked
    from vectorstore.store import REBUILD_HINT

    engine = Engine(settings)
    mode = f"máy chủ Chroma {settings.describe_store()}" if settings.server_mode else f"cục bộ {settings.store_dir}"
    _line(OK, "Cấu hình", f"kho {mode}; mô hình nhúng {settings.embedding_model}")
    healthy = True

    state, detail = _attempt(lambda: f"mở được ({engine.store.where})")
    _line(state, "Kho vector", detail)
    if state == FAIL:
        return False, None  # the error's own hint (rebuild, start the server) was just printed

    if is_locked(settings):
        _line(WARN, "Khoá nạp", "đang có một tiến trình nạp dữ liệu chạy trên kho này")

    crash = _search_crash(settings)
    if crash:  # the checks below search in this process and would crash it the same way
        _line(FAIL, "Tìm kiếm vector", f"{crash}: tệp chỉ mục vector bị hỏng")
        return False, REBUILD_HINT

    def consistency() -> str:
        problems = engine.store.health()
        if problems:
            raise NghiquyetError("; ".join(problems))
        docs = engine.store.documents()
        return f"{len(docs)} tài liệu, {sum(d.chunk_count for d in docs)} đoạn; sổ tài liệu khớp với các đoạn"

    state, detail = _attempt(consistency)
    _line(state, "Tính nhất quán", detail)
    advice = REBUILD_HINT if state == FAIL else None
    healthy &= state != FAIL

    def embedder() -> str:
        vector = engine.embedder.embed_query("kiểm tra mô hình nhúng")
        if len(vector) != engine.embedder.dim:
            raise NghiquyetError(f"vector có {len(vector)} chiều, cần {engine.embedder.dim}")
        return f"{engine.embedder.name}, {len(vector)} chiều"

    state, detail = _attempt(embedder)
    _line(state, "Mô hình nhúng", detail)
    healthy &= state != FAIL

    try:
        state, detail = _lexical_state(engine)
    except NghiquyetError as exc:
        state, detail = FAIL, exc.user_message()
    except ImportError:
        state, detail = WARN, "không kiểm tra được (thiếu mô-đun retrieval)"
    _line(state, "Chỉ mục từ vựng", detail)
    healthy &= state != FAIL
    return healthy, advice


@click.command("doctor")
@store_option
@friendly_errors
def doctor_command(store_dir: Path | None) -> None:
    """Kiểm tra kho chỉ mục, mô hình nhúng và chỉ mục từ vựng; chỉ cách sửa khi có lỗi."""
    healthy, advice = run_checks(make_settings(store_dir))  # advice: what to run to fix it
    if not healthy:
        console.print(Text(f"Có lỗi. {advice or ''}".strip(), style="bold red"))
        raise SystemExit(1)
    console.print(Text("Mọi thứ ổn.", style="bold green"))


COMMANDS: list[click.Command] = [doctor_command]
