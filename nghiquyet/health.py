"""Is the installation ready to answer? The checks behind `nghiquyet doctor`, one finding each.

The store opens; its vector search does not crash (tried in a child process: Chroma's native code can
die on a damaged index file); the manifest matches the records; the embedder answers; the saved
lexical index and dense mirror are the store's current state with their checksums intact. A store
with no document, or one emptied while its derived indexes remain, is not ready. Leftovers of an
interrupted ingest are a notice: readers never see them and the next ingest removes them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from core.config import Settings
from nghiquyet.engine import Engine
from core.errors import NghiquyetError

State = Literal["ok", "warn", "fail"]
OK: State = "ok"
WARN: State = "warn"
FAIL: State = "fail"


@dataclass(frozen=True)
class Finding:
    state: State
    title: str
    detail: str = ""


@dataclass(frozen=True)
class HealthReport:
    findings: tuple[Finding, ...]
    advice: str | None  # what to run to fix it, when one command does

    @property
    def healthy(self) -> bool:
        return all(f.state != FAIL for f in self.findings)


def _attempt(func: Callable[[], str]) -> tuple[State, str]:
    """(state, detail) of one check: the library's own errors are findings, not crashes."""
    try:
        return OK, func()
    except _NotYet as exc:
        return WARN, exc.user_message()
    except NghiquyetError as exc:
        return FAIL, exc.user_message()


_PROBE = (
    "import json, sys\n"
    "from core.config import Settings\n"
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


def check(settings: Settings, report: Callable[[Finding], None] = lambda finding: None) -> HealthReport:
    """Run every check, telling `report` each finding as it is made; the findings and the advice."""
    from vectorstore.lock import is_locked
    from vectorstore.client import REBUILD_HINT

    findings: list[Finding] = []

    def add(state: State, title: str, detail: str = "") -> None:
        findings.append(Finding(state, title, detail))
        report(findings[-1])

    def done(advice: str | None) -> HealthReport:
        return HealthReport(tuple(findings), advice)

    engine = Engine(settings)
    mode = f"máy chủ Chroma {settings.describe_store()}" if settings.server_mode else f"cục bộ {settings.store_dir}"
    add(OK, "Cấu hình", f"kho {mode}; mô hình nhúng {settings.embedding_model}")

    state, detail = _attempt(lambda: f"mở được ({engine.store.where})")
    add(state, "Kho vector", detail)
    if state == FAIL:
        return done(None)  # the error's own hint (rebuild, start the server) is in its detail

    locked = is_locked(settings)
    if locked:
        add(WARN, "Khoá nạp", "đang có một tiến trình nạp dữ liệu chạy trên kho này")

    crash = _search_crash(settings)
    if crash:  # the checks below search in this process and would crash it the same way
        add(FAIL, "Tìm kiếm vector", f"{crash}: tệp chỉ mục vector bị hỏng")
        return done(REBUILD_HINT)

    def consistency() -> str:
        problems = engine.store.health()
        if problems:
            raise NghiquyetError("; ".join(problems))
        docs = engine.store.documents()
        return f"{len(docs)} tài liệu, {sum(d.chunk_count for d in docs)} đoạn; sổ tài liệu khớp với các đoạn"

    state, detail = _attempt(consistency)
    add(state, "Tính nhất quán", detail)
    advice = REBUILD_HINT if state == FAIL else None
    if state != FAIL:
        # Records of an interrupted (or running) ingest: invisible to readers, and the next ingest
        # removes them — one thing to say, and nothing to rebuild.
        leftovers = engine.store.leftover_records()
        if leftovers and locked:
            add(WARN, "Đoạn chưa ghi xong", f"{leftovers} đoạn của lần nạp đang chạy, chưa hiện trong kết quả")
        elif leftovers:
            add(WARN, "Đoạn thừa", f"{leftovers} đoạn của một lần nạp bị gián đoạn, không hiện trong kết quả; "
                  "lần nạp tiếp theo sẽ tự dọn, không cần dựng lại")

    def embedder() -> str:
        vector = engine.embedder.embed_query("kiểm tra mô hình nhúng")
        if len(vector) != engine.embedder.dim:
            raise NghiquyetError(f"vector có {len(vector)} chiều, cần {engine.embedder.dim}")
        return f"{engine.embedder.name}, {len(vector)} chiều"

    state, detail = _attempt(embedder)
    add(state, "Mô hình nhúng", detail)

    state, detail = _attempt(lambda: _derived_state(engine))
    add(state, "Chỉ mục từ vựng và bản sao vector", detail)
    if state == FAIL and advice is None and REBUILD_HINT in detail:
        advice = REBUILD_HINT
    return done(advice)
