"""The Streamlit app driven by AppTest against the bundled corpus embedded with the real model.

Covers: a question and its cited answer, opening a citation, a follow-up inheriting province/year,
a refusal, the province filter, feedback (and "add to the regression set"), upload → list → delete
on the library page, an oversize upload, hostile document text, and an unreachable Chroma server
that comes back.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, LIBRARY_PAGE, blocks_of_type, free_port, texts, walk
from tests.conftest import CORPUS, EMBED_CACHE

pytestmark = pytest.mark.slow

TV_2021 = "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"
TIMEOUT_S = 180


def start_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception, at.exception
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception
    return at


def assistant_messages(at: AppTest) -> list:
    return [m for m in at.chat_message if m.name == "assistant"]


def last_answer_text(at: AppTest) -> str:
    return "\n".join(texts(assistant_messages(at)[-1]))


def chips(message) -> list:  # type: ignore[no-untyped-def]
    """The citation popovers of an assistant message (label "[n] …")."""
    return [b for b in blocks_of_type(message, "popover") if b.proto.popover.label.startswith("\\[")]


def plain(markdown: str) -> str:
    """What a Markdown string shows, roughly: escapes and our highlight markup removed."""
    text = re.sub(r":[a-z]+-background\[((?:\\.|[^\]\\])*)\]", r"\1", markdown).replace("**", "")
    return re.sub(r"\\(.)", r"\1", text)


def test_question_gets_a_cited_answer(app_env: Path) -> None:
    at = ask(start_app(), TV_2021)
    message = assistant_messages(at)[-1]
    body = plain(last_answer_text(at))
    assert "11%" in body
    assert "[1]" in body
    assert chips(message), "no citation chip"
    assert any("Trả lời trong" in t and "giây" in t for t in texts(message))
    assert not at.error
    # The question is kept in the conversation and redrawn on the next run.
    at.run()
    assert [plain(t) for m in at.chat_message if m.name == "user" for t in texts(m)] == [TV_2021]


def test_opening_a_citation_shows_the_source_and_the_highlighted_figure(app_env: Path) -> None:
    at = ask(start_app(), TV_2021)
    chip = chips(assistant_messages(at)[-1])[0]
    assert "Trà Vinh" in plain(chip.proto.popover.label)
    inside = texts(chip)
    shown = "\n".join(plain(t) for t in inside)
    assert "Tỉnh: Trà Vinh" in shown
    assert "Vị trí:" in shown
    assert "tra-vinh-tuyen-truyen-2020-2021.txt" in shown
    passage = next(t for t in inside if "background[" in t)
    # The cited sentence on a background, its figure in bold inside it.
    sentence = re.search(r":orange-background\[((?:\\.|[^\]\\])*)\]", passage)
    assert sentence and "tăng trưởng GRDP" in plain(sentence.group(1)), passage
    assert re.findall(r"\*\*(.*?)\*\*", sentence.group(1)) == ["11\\%"]


def test_follow_up_inherits_province_and_indicator(app_env: Path) -> None:
    at = ask(start_app(), TV_2021)
    at = ask(at, "năm 2020 đạt bao nhiêu?")
    shown = [plain(t) for t in texts(assistant_messages(at)[-1])]
    resolved = next(t for t in shown if "Đã tìm:" in t)
    assert "Trà Vinh" in resolved and "2020" in resolved and "tăng trưởng GRDP" in resolved
    assert any("3,32%" in t for t in shown)
    # And a different province keeps the indicator and the year of the conversation.
    at = ask(at, "Còn Sóc Trăng thì sao?")
    resolved = next(plain(t) for t in texts(assistant_messages(at)[-1]) if "Đã tìm:" in t)
    assert resolved.endswith("Đã tìm: Kết quả tăng trưởng GRDP năm 2020 của Sóc Trăng?")


def test_question_about_a_province_without_documents_is_refused(app_env: Path) -> None:
    at = ask(start_app(), "Chỉ tiêu tăng trưởng GRDP năm 2021 của Bạc Liêu?")
    message = assistant_messages(at)[-1]
    assert at.warning, "a refusal is shown as a warning"
    assert not chips(message)
    assert "Bạc Liêu" in plain(at.warning[0].value) or any("Bạc Liêu" in plain(t) for t in texts(message))


def test_bad_questions_get_a_message_and_the_conversation_goes_on(app_env: Path) -> None:
    at = ask(start_app(), "???!!!")
    assert any("Câu hỏi không có chữ hay số nào để tìm" in plain(e.value) for e in at.error)
    hostile = "<script>alert(1)</script> ![x](http://127.0.0.1:9/?q=1) GRDP Trà Vinh 2021'; DROP TABLE x;--"
    at = ask(at, hostile)
    user = [t for m in at.chat_message if m.name == "user" for t in texts(m)][-1]
    assert "\\<script\\>" in user and "`![x](http://127.0.0.1:9/?q=1)`" in user  # shown as typed, inert
    assert not at.exception
    at = ask(at, TV_2021)  # the session still works
    assert "11%" in plain(last_answer_text(at))


def test_province_filter_restricts_the_sources(app_env: Path) -> None:
    at = start_app()
    province = next(w for w in at.sidebar.multiselect if w.label == "Tỉnh")
    assert {"Trà Vinh", "Sóc Trăng", "Lạng Sơn", "Hậu Giang", "Kiên Giang"} <= set(province.options)
    province.set_value(["Lạng Sơn"]).run()
    at = ask(at, "Chỉ tiêu tốc độ tăng trưởng kinh tế năm 2020?")
    labels = [plain(c.proto.popover.label) for c in chips(assistant_messages(at)[-1])]
    assert labels and all("Lạng Sơn" in label for label in labels), labels
    assert "8,5" in plain(last_answer_text(at))


def test_feedback_and_regression_entry_are_saved(app_env: Path, app_files: dict[str, Path]) -> None:
    at = ask(start_app(), TV_2021)
    at.feedback[0].set_value(1).run()
    records = [json.loads(line) for line in app_files["feedback"].read_text(encoding="utf-8").splitlines()]
    assert [(r["rating"], r["question"]) for r in records] == [("up", TV_2021)]
    assert records[0]["citations"] and "11%" in records[0]["answer"]

    comment = next(w for w in at.text_input if w.key and w.key.startswith("comment-"))
    comment.set_value("Đúng số liệu, trích dẫn rõ.")
    next(b for b in at.button if b.label == "Gửi nhận xét").click().run()
    records = [json.loads(line) for line in app_files["feedback"].read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2 and records[1]["comment"] == "Đúng số liệu, trích dẫn rõ."
    assert records[1]["turn_id"] == records[0]["turn_id"]

    # The regression-set button is an admin tool (tests/app/test_meeting.py): not here by default.
    assert not [b for b in at.button if "bộ câu hỏi kiểm thử" in b.label]


def test_new_conversation_and_export(app_env: Path) -> None:
    at = ask(start_app(), TV_2021)
    export = next(b for b in at.sidebar.get("download_button"))
    assert export.proto.label.startswith("Tải về")
    at.sidebar.button(key="new_conversation").click().run()
    assert not assistant_messages(at)
    assert any(b.key and b.key.startswith("example-") for b in at.button)


def test_example_question_button_asks_it(app_env: Path) -> None:
    at = start_app()
    example = next(b for b in at.button if b.key == "example-0")
    example.click().run()
    assert assistant_messages(at), "clicking an example asks it"
    assert chips(assistant_messages(at)[-1])


def test_answer_mode_appears_only_with_an_llm_and_falls_back_when_it_is_down(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start_app()
    assert not [r for r in at.sidebar.radio if r.label == "Cách trả lời"]

    monkeypatch.setenv("NGHIQUYET_LLM_BACKEND", "openai")
    monkeypatch.setenv("NGHIQUYET_LLM_MODEL", "qwen-test")
    monkeypatch.setenv("NGHIQUYET_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")  # nothing listens
    monkeypatch.setenv("NGHIQUYET_LLM_TIMEOUT_S", "2")
    at = start_app()
    mode = next(r for r in at.sidebar.radio if r.label == "Cách trả lời")
    assert mode.value == "extractive"
    mode.set_value("llm").run()
    at = ask(at, TV_2021)
    shown = [plain(t) for t in texts(assistant_messages(at)[-1])]
    assert any("11%" in t for t in shown)
    assert any("Không dùng câu trả lời của LLM (không kết nối được mô hình ngôn ngữ)" in t for t in shown), shown
    assert not any("127.0.0.1" in t or "http" in t or "Error" in t for t in shown), shown
    # The stages were shown; the extractive answer came first, then the check.
    status = blocks_of_type(assistant_messages(at)[-1], "status")
    assert status and "Giữ câu trả lời trích nguyên văn" in status[0].label
    assert not at.exception


# --- the document library ---------------------------------------------------------------------------
SMALL_DOC = (
    "NGHỊ QUYẾT VỀ NHIỆM VỤ NĂM 2022 CỦA TỈNH BẠC LIÊU\n\n"
    "1. Các chỉ tiêu chủ yếu năm 2022\n"
    "- Tốc độ tăng trưởng GRDP đạt 7,2% trở lên <script>alert('x')</script> ![x](http://127.0.0.1:9/?d=secret).\n"
    "- Thu ngân sách nhà nước trên địa bàn đạt 4.100 tỷ đồng.\n"
)


@pytest.fixture
def empty_store_env(tmp_path: Path, app_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "library-store"
    monkeypatch.setenv("NGHIQUYET_STORE_DIR", str(store))
    monkeypatch.setenv("NGHIQUYET_EMBEDDING_CACHE_DIR", str(EMBED_CACHE))
    monkeypatch.setenv("NGHIQUYET_FEEDBACK_FILE", str(app_files["feedback"]))
    monkeypatch.setenv("NGHIQUYET_QUESTIONS_FILE", str(app_files["questions"]))
    return store


def library(at: AppTest) -> AppTest:
    at.switch_page(LIBRARY_PAGE).run()
    assert not at.exception, at.exception
    return at


def listed_sources(at: AppTest) -> list[str]:
    if not at.dataframe:
        return []
    return list(at.dataframe[0].value["Tệp"])


def test_document_uploaded_listed_asked_and_deleted(empty_store_env: Path) -> None:
    at = library(start_app())
    assert listed_sources(at) == []
    at.file_uploader[0].set_value(("bac-lieu-nq-2022.txt", SMALL_DOC.encode("utf-8"), "text/plain")).run()
    at.button(key="ingest_uploads").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert listed_sources(at) == ["bac-lieu-nq-2022.txt"]
    row = at.dataframe[0].value.iloc[0]
    assert row["Tỉnh"] == "Bạc Liêu" and "2022" in row["Năm"] and row["Số đoạn"] > 0
    assert any("bac-lieu-nq-2022.txt: đã nạp" in plain(t) for t in texts(at.main))
    assert (empty_store_env / "documents" / "bac-lieu-nq-2022.txt").is_file()

    # The new document answers questions in the chat, its hostile text shown as characters.
    chat = ask(start_app(), "Chỉ tiêu tăng trưởng GRDP năm 2022 của Bạc Liêu?")
    assert "7,2%" in plain(last_answer_text(chat))
    passage = "\n".join(texts(chips(assistant_messages(chat)[-1])[0]))
    # Whatever of the markup survives ingestion is shown as characters: no unescaped "<" or "![".
    assert not re.search(r"(?<!\\)<|(?<![\\`])!\[", passage), passage

    # Re-index all: every file is found (the upload), so the index is rebuilt from it.
    at = library(at)
    at.button(key="reindex").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("1 tài liệu đã nạp" in plain(s.value) for s in at.success), [s.value for s in at.success]
    assert listed_sources(at) == ["bac-lieu-nq-2022.txt"]

    at.selectbox(key="delete_source").set_value("bac-lieu-nq-2022.txt")
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete").click().run()
    assert not at.error, [e.value for e in at.error]
    assert listed_sources(at) == []
    assert any("Đã xoá bac-lieu-nq-2022.txt" in plain(s.value) for s in at.success)
    assert not (empty_store_env / "documents" / "bac-lieu-nq-2022.txt").exists()


def test_oversize_and_unsupported_uploads_are_refused_with_a_message(
    empty_store_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NGHIQUYET_UPLOAD_MAX_MB", "0.001")  # about 1 KB
    at = library(start_app())
    assert "tối đa 0,001 MB mỗi tệp" in at.file_uploader[0].label
    big = ("lon.txt", ("Tốc độ tăng trưởng GRDP đạt 7%.\n" * 200).encode("utf-8"), "text/plain")
    at.file_uploader[0].set_value([big]).run()
    at.button(key="ingest_uploads").click().run()
    errors = [plain(e.value) for e in at.error]
    assert any("lon.txt quá lớn" in e and "giới hạn 0,001 MB" in e for e in errors), errors
    assert listed_sources(at) == []


def test_upload_goes_through_the_same_ingest_path_as_the_cli(empty_store_env: Path) -> None:
    from core.config import load_settings
    from nghiquyet.engine import Engine
    from nghiquyet.library import ingest_uploads

    engine = Engine(load_settings())
    events = []
    outcome = ingest_uploads(
        engine, [("../../etc/bac-lieu.txt", SMALL_DOC.encode()), ("x.exe", b"MZ")], progress=events.append
    )
    assert outcome.refused and outcome.refused[0][0] == "x.exe"
    assert outcome.report is not None and outcome.report.ok
    assert [r.source for r in outcome.report.results] == ["bac-lieu.txt"]
    assert (empty_store_env / "documents" / "bac-lieu.txt").is_file()
    assert events and events[-1].stage == "done"
    assert [d.meta.source for d in engine.documents()] == ["bac-lieu.txt"]
    engine.store.close()


# --- an unreachable vector store --------------------------------------------------------------------
def _start_chroma(path: Path, port: int) -> subprocess.Popen:
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma server did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.skipif(shutil.which("chroma", path=str(Path(sys.executable).parent)) is None, reason="chroma CLI not installed")
def test_unreachable_store_is_reported_and_the_app_recovers(
    tmp_path: Path, app_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.config import load_settings
    from nghiquyet.engine import Engine

    port = free_port()
    data = tmp_path / "chroma-server"
    for key, value in {
        "NGHIQUYET_STORE_DIR": str(tmp_path / "app-side"),
        "NGHIQUYET_CHROMA_HOST": "127.0.0.1",
        "NGHIQUYET_CHROMA_PORT": str(port),
        "NGHIQUYET_CHROMA_TIMEOUT_S": "3",
        "NGHIQUYET_EMBEDDING_CACHE_DIR": str(EMBED_CACHE),
        "NGHIQUYET_FEEDBACK_FILE": str(app_files["feedback"]),
        "NGHIQUYET_QUESTIONS_FILE": str(app_files["questions"]),
    }.items():
        monkeypatch.setenv(key, value)

    server = _start_chroma(data, port)
    try:
        loader = Engine(load_settings())
        assert loader.ingest([CORPUS / "tra-vinh-tuyen-truyen-2020-2021.txt"]).ok
        loader.store.close()

        at = ask(start_app(), TV_2021)
        assert "11%" in plain(last_answer_text(at))

        _stop(server)
        at = ask(at, TV_2021)
        errors = [plain(e.value) for e in at.error]
        assert any(f"Không kết nối được kho vector tại 127.0.0.1:{port}" in e for e in errors), errors
        assert not at.exception

        server = _start_chroma(data, port)
        at = ask(at, TV_2021)  # same process, same cached engine: no restart
        assert "11%" in plain(last_answer_text(at))
    finally:
        _stop(server)
