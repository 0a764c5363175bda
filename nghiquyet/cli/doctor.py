"""`nghiquyet doctor`: health checks of the store, the embedder and the lexical index, with the fix."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.text import Text

from nghiquyet.cli.common import console, friendly_errors, make_settings, store_option
from nghiquyet.config import Settings
from nghiquyet.engine import Engine
from nghiquyet.errors import NghiquyetError

OK, WARN, FAIL = "ok", "warn", "fail"
_MARK = {OK: ("✓", "green"), WARN: ("!", "yellow"), FAIL: ("✗", "bold red")}


def _line(state: str, title: str, detail: str = "") -> None:
    mark, style = _MARK[state]
    console.print(Text.assemble((f"{mark} ", style), (title, "bold"), (f" — {detail}" if detail else "", "")))


def _attempt(func: Callable[[], str]) -> tuple[str, str]:
    """(state, detail) of one check: the library's own errors are findings, not crashes."""
    try:
        return OK, func()
    except _NotYet as exc:
        return WARN, exc.user_message()
    except NghiquyetError as exc:
        return FAIL, exc.user_message()


_PROBE = (
    "import json, sys\n"
    "from nghiquyet.config import Settings\n"
    "from vectorstore.client import probe_local_search\n"
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


def _saved_chunk_counts(folder: Path) -> list[int]:
    """Chunk counts recorded by the lexical indexes saved under `folder` (any store state)."""
    counts: list[int] = []
    for meta in sorted(folder.glob("*/meta.json")) if folder.is_dir() else []:
        try:
            counts.append(int(json.loads(meta.read_text(encoding="utf-8")).get("count", 0)))
        except (OSError, ValueError, TypeError):
            continue
    return counts


def _derived_state(engine: Engine) -> tuple[str, str]:
    """Whether the saved lexical index and dense mirror are the store's current state, checksums intact."""
    from retrieval.dense import DenseIndex
    from retrieval.hybrid import DENSE_DIR, LEXICAL_DIR
    from retrieval.lexical import LexicalIndex
    from vectorstore.client import REBUILD_HINT

    store_dir = engine.settings.store_dir
    if not engine.store.documents():
        earlier = max(_saved_chunk_counts(store_dir / LEXICAL_DIR), default=0)
        if earlier and not engine.settings.server_mode:
            raise NghiquyetError(
                f"kho vector trống nhưng chỉ mục từ vựng đã lưu còn {earlier} đoạn: dữ liệu của kho "
                f"({engine.store.where}) đã mất hoặc bị thay bằng một thư mục trống.",
                REBUILD_HINT,
            )
        raise NghiquyetError(
            f"kho {engine.store.where} chưa có tài liệu nào, chưa trả lời được câu hỏi.",
            "Nạp tài liệu bằng `nghiquyet ingest <thư mục tài liệu>`.",
        )
    fingerprint = engine.store.fingerprint()
    lexical = LexicalIndex(store_dir / LEXICAL_DIR)
    dense = DenseIndex(store_dir / DENSE_DIR)
    # doctor only looks: a damaged copy stays for the next search (or --rebuild) to replace
    lexical_ok = lexical.load(fingerprint, discard=False)
    dense_ok = lexical_ok and dense.load(fingerprint, len(lexical), discard=False)
    damaged = [r for r in (lexical.rejected, dense.rejected) if r]
    if damaged:
        raise NghiquyetError(
            "; ".join(damaged) + ". Câu trả lời không dùng bản này: lần tìm kiếm tiếp theo dựng lại nó từ kho vector.",
            REBUILD_HINT,
        )
    if lexical_ok and dense_ok:
        return "khớp với kho vector (dấu vân tay và tổng kiểm tra đúng)"
    raise _NotYet("chưa khớp với kho vector; sẽ tự dựng lại ở lần tìm kiếm đầu tiên (hoặc chạy `nghiquyet search …`)")


class _NotYet(NghiquyetError):
    """Not built yet for this state: a warning, not a failure (the first search builds it)."""


def run_checks(settings: Settings) -> tuple[bool, str | None]:
    """Print each check; (nothing failed, advice to print at the end)."""
    from vectorstore.lock import is_locked
    from vectorstore.client import REBUILD_HINT

    engine = Engine(settings)
    mode = f"máy chủ Chroma {settings.describe_store()}" if settings.server_mode else f"cục bộ {settings.store_dir}"
    _line(OK, "Cấu hình", f"kho {mode}; mô hình nhúng {settings.embedding_model}")
    healthy = True

    state, detail = _attempt(lambda: f"mở được ({engine.store.where})")
    _line(state, "Kho vector", detail)
    if state == FAIL:
        return False, None  # the error's own hint (rebuild, start the server) was just printed

    locked = is_locked(settings)
    if locked:
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
    if state != FAIL:
        # Records of an interrupted (or running) ingest: invisible to readers, and the next ingest
        # removes them — one thing to say, and nothing to rebuild.
        leftovers = engine.store.leftover_records()
        if leftovers and locked:
            _line(WARN, "Đoạn chưa ghi xong", f"{leftovers} đoạn của lần nạp đang chạy, chưa hiện trong kết quả")
        elif leftovers:
            _line(WARN, "Đoạn thừa", f"{leftovers} đoạn của một lần nạp bị gián đoạn, không hiện trong kết quả; "
                  "lần nạp tiếp theo sẽ tự dọn, không cần dựng lại")

    def embedder() -> str:
        vector = engine.embedder.embed_query("kiểm tra mô hình nhúng")
        if len(vector) != engine.embedder.dim:
            raise NghiquyetError(f"vector có {len(vector)} chiều, cần {engine.embedder.dim}")
        return f"{engine.embedder.name}, {len(vector)} chiều"

    state, detail = _attempt(embedder)
    _line(state, "Mô hình nhúng", detail)
    healthy &= state != FAIL

    state, detail = _attempt(lambda: _derived_state(engine))
    _line(state, "Chỉ mục từ vựng và bản sao vector", detail)
    if state == FAIL and advice is None and REBUILD_HINT in detail:
        advice = REBUILD_HINT
    healthy &= state != FAIL
    return healthy, advice


@click.command("doctor")
@store_option
@friendly_errors
def doctor_command(store_dir: Path | None) -> None:
    """Kiểm tra kho chỉ mục, mô hình nhúng và chỉ mục từ vựng; chỉ cách sửa khi có lỗi."""
    # Loading a saved index logs what it finds damaged "and rebuilds"; doctor only reports it.
    logging.getLogger("retrieval").setLevel(logging.ERROR)
    healthy, advice = run_checks(make_settings(store_dir))  # advice: what to run to fix it
    if not healthy:
        console.print(Text(f"Có lỗi. {advice or ''}".strip(), style="bold red"))
        raise SystemExit(1)
    console.print(Text("Mọi thứ ổn.", style="bold green"))


COMMANDS: list[click.Command] = [doctor_command]
