"""The app as used in a meeting (AppTest, bundled corpus, real model): follow-ups and the visible
context chip, honest filters, greetings, the copy button, .docx/.txt export, the admin switch."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.app.conftest import blocks_of_type, texts
from tests.conftest import REPO
from tests.app.test_app import TV_2021, ask, assistant_messages, chips, last_answer_text, plain, start_app

pytestmark = pytest.mark.slow

KG_2020 = "Chỉ tiêu tăng trưởng GRDP năm 2020 của Kiên Giang?"


def chip(at: AppTest):  # type: ignore[no-untyped-def]
    """The context chip's × button, or None when nothing carries over."""
    return next((b for b in at.button if b.key == "drop_context"), None)


def searched(at: AppTest) -> str:
    return next((plain(t) for t in texts(assistant_messages(at)[-1]) if "Đã tìm:" in t), "")


def test_context_chip_shows_what_carries_over_and_follow_ups_keep_the_indicator(app_env: Path) -> None:
    at = start_app()
    assert chip(at) is None  # nothing to carry before the first question
    at = ask(at, TV_2021)
    assert "Trà Vinh · 2021 · tăng trưởng GRDP" in plain(chip(at).label)
    at = ask(at, "năm 2020 thì sao?")
    assert "tăng trưởng grdp" in searched(at).lower() and "2020" in searched(at)
    assert "3,32%" in plain(last_answer_text(at))
    at = ask(at, "còn GRDP bình quân đầu người?")
    assert "63,14" in plain(last_answer_text(at))
    # A question naming its own province and indicator stands alone: no "Đã tìm" rewrite.
    at = ask(at, KG_2020)
    assert searched(at) == "" and "7,23%" in plain(last_answer_text(at))


def test_removing_the_context_makes_the_next_question_stand_alone(app_env: Path) -> None:
    at = ask(start_app(), TV_2021)
    chip(at).click().run()
    assert chip(at) is None
    at = ask(at, "năm 2020 thì sao?")
    assert searched(at) == ""  # searched as typed: nothing was carried over
    assert "Trà Vinh" not in plain(last_answer_text(at)).split("Các tài liệu hiện có")[0]


def test_nothing_carries_over_after_a_refusal_and_greetings_are_not_searched(app_env: Path) -> None:
    at = ask(start_app(), TV_2021)
    at = ask(at, "xin chào")
    message = assistant_messages(at)[-1]
    assert any("Xin chào anh/chị" in plain(t) for t in texts(message))
    assert not chips(message) and not at.feedback[1:]  # no search, nothing to rate
    assert "Trà Vinh · 2021" in plain(chip(at).label)  # a greeting does not end the context
    at = ask(at, "Chỉ tiêu tăng trưởng GRDP năm 2021 của Bạc Liêu?")
    assert at.warning  # refused: Bạc Liêu has no document
    assert chip(at) is None
    at = ask(at, "năm 2020 thì sao?")
    assert searched(at) == ""


def test_filter_is_shown_and_an_excluded_province_is_never_called_missing(app_env: Path) -> None:
    at = start_app()
    next(w for w in at.sidebar.multiselect if w.label == "Tỉnh").set_value(["Trà Vinh"]).run()
    at = ask(at, TV_2021)
    assert any("Đang lọc: Trà Vinh" in plain(t) for t in texts(assistant_messages(at)[-1]))
    at = ask(at, KG_2020)
    shown = "\n".join(plain(t) for t in texts(assistant_messages(at)[-1]))
    assert "Đang lọc: Trà Vinh" in shown and "Kiên Giang nằm ngoài bộ lọc" in shown
    assert "không tìm thấy" not in shown.lower() and "11%" not in shown
    assert chip(at) is None
    next(b for b in at.button if b.key and b.key.startswith("unfiltered-")).click().run()
    assert not at.exception
    assert "7,23%" in plain(last_answer_text(at))
    assert not any("Đang lọc" in plain(t) for t in texts(assistant_messages(at)[-1]))
    # The sidebar filter itself stays as the official set it.
    assert next(w for w in at.sidebar.multiselect if w.label == "Tỉnh").value == ["Trà Vinh"]


def test_copy_box_holds_the_answer_and_its_sources_as_plain_text(app_env: Path) -> None:
    at = ask(start_app(), KG_2020)
    copy = next(p for p in blocks_of_type(assistant_messages(at)[-1], "popover") if p.proto.popover.label == "Sao chép")
    code = next(n for n in copy.children.values() if getattr(n, "type", "") == "code")
    text = code.value
    assert text.startswith("Hỏi: " + KG_2020) and "7,23%" in text and "2.458" in text
    assert "\\" not in text and "**" not in text
    assert "Nguồn:\n[1] " in text and "kien-giang-nq-27-nhiem-vu-2020.txt" in text
    assert "đoạn " in text and "/" in text.split("[1] ")[1].split("\n")[0]


def test_conversation_downloads_as_docx_and_plain_text(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from docx import Document
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    served: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        served[mimetype] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    # The app's download data as Streamlit receives it (AppTest's media store goes with its run).
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    at = ask(ask(start_app(), KG_2020), "xin chào")
    labels = {b.proto.label for b in at.sidebar.get("download_button")}
    assert labels == {"Tải về bản Word (.docx)", "Tải về văn bản thuần (.txt)"}
    txt = served["text/plain"].decode("utf-8")
    assert "7,23%" in txt and "\\" not in txt and "Trả lời: Xin chào anh/chị" in txt
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    body = "\n".join(p.text for p in Document(io.BytesIO(served[docx_type])).paragraphs)
    assert "1. " + KG_2020 in body and "7,23%" in body and "kien-giang-nq-27-nhiem-vu-2020.txt" in body
    assert "\\" not in body


def test_regression_button_only_in_admin_mode_with_figures_from_the_passage(
    app_env: Path, app_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ask(start_app(), TV_2021)
    at.feedback[0].set_value(1).run()
    assert not [b for b in at.button if "bộ câu hỏi kiểm thử" in b.label]
    assert json.loads(app_files["feedback"].read_text(encoding="utf-8").splitlines()[0])["rating"] == "up"

    target = app_env.parent / "admin" / "regression.yaml"
    monkeypatch.setenv("NGHIQUYET_ADMIN_MODE", "true")
    monkeypatch.setenv("NGHIQUYET_ADMIN_QUESTIONS_FILE", str(target))
    at = ask(start_app(), TV_2021)
    at.feedback[0].set_value(1).run()
    figures = next(w for w in at.multiselect if w.key and w.key.startswith("regression-figures-"))
    assert "11%" in figures.options
    assert not [o for o in figures.options if o in ("19", "03")]  # never digits out of words or years
    submit = next(b for b in at.button if b.label == "Thêm vào bộ câu hỏi kiểm thử")
    submit.click().run()
    assert any("Hãy chọn ít nhất một số liệu" in plain(w.value) for w in at.warning)
    assert not target.exists()
    figures = next(w for w in at.multiselect if w.key and w.key.startswith("regression-figures-"))
    figures.set_value(["11%"])
    next(b for b in at.button if b.label == "Thêm vào bộ câu hỏi kiểm thử").click().run()
    assert not at.error, [e.value for e in at.error]
    entries = yaml.safe_load(target.read_text(encoding="utf-8"))["questions"]
    assert [(e["question"], e["expected"]) for e in entries] == [(TV_2021, ["11%"])]
    # The repository's file is untouched.
    assert app_files["questions"].read_text(encoding="utf-8") == (REPO / "regression" / "questions.yaml").read_text(
        encoding="utf-8"
    )


def test_full_text_opens_at_the_cited_passage(app_env: Path) -> None:
    from pages.source_view import document_url

    at = ask(start_app(), TV_2021)
    answer = at.session_state["turns"][-1].answer
    chunk = answer.citations[0].passage.chunk
    url = document_url(chunk)
    assert url == f"./?nguon={chunk.source}&doan={chunk.seq + 1}"
    # The inline [1] of the answer links there too.
    assert f"[**\\[1\\]**]({url})" in next(t for t in texts(assistant_messages(at)[-1]) if "**\\[1\\]**" in t)

    page = AppTest.from_file(str(REPO / "app.py"), default_timeout=180)
    page.query_params["nguon"] = chunk.source
    page.query_params["doan"] = str(chunk.seq + 1)
    page.run()
    assert not page.exception, page.exception
    heading = next(h for h in page.subheader if "Đoạn được trích" in h.value)
    assert heading.anchor == f"doan-{chunk.seq + 1}"
    assert "mục B.I.2, đoạn 80/148" in plain(heading.value)
    body = [plain(m.value) for m in page.markdown]
    assert any("11%" in b for b in body)
    # The whole document is there, not only the passage; and the way back to the chat.
    assert len([b for b in body if b.strip()]) > 100
    page.button(key="back_to_chat").click().run()
    assert not page.query_params and page.chat_input


@pytest.mark.parametrize("grounded", [True, False])
def test_llm_mode_shows_the_extractive_answer_first_and_replaces_it_only_when_grounded(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, grounded: bool
) -> None:
    from tests.answer.openai_server import openai_server
    from tests.answer.test_answer_llm import correct, invented

    with openai_server([correct if grounded else invented], delay_s=0.5) as server:
        monkeypatch.setenv("NGHIQUYET_LLM_BACKEND", "openai")
        monkeypatch.setenv("NGHIQUYET_LLM_MODEL", "qwen-test")
        monkeypatch.setenv("NGHIQUYET_LLM_BASE_URL", server.base_url)
        at = start_app()
        next(r for r in at.sidebar.radio if r.label == "Cách trả lời").set_value("llm").run()
        at = ask(at, TV_2021)
    message = assistant_messages(at)[-1]
    (status,) = blocks_of_type(message, "status")
    # The extractive answer was drawn before the model was asked; it stays in the (folded) status box.
    drafted = "\n".join(plain(t) for t in texts(status))
    assert "Tìm tài liệu: xong" in drafted and "Năm 2021, Trà Vinh đặt chỉ tiêu" in drafted
    shown = [plain(t) for t in texts(message) if t not in texts(status)]
    if grounded:
        assert status.label.startswith("Đã kiểm tra số liệu")
        assert any("tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020 [[1]](./?nguon=" in t for t in shown), shown
        assert any("dùng LLM (qwen-test)" in t for t in shown)
    else:
        assert status.label == "Giữ câu trả lời trích nguyên văn."
        assert not any("12,5" in t for t in shown if "Không dùng câu trả lời của LLM" not in t)
        assert any("Không dùng câu trả lời của LLM (Câu trả lời của mô hình có số liệu không có trong nguồn: 12,5)" in t
                   for t in shown)
    assert not any("127.0.0.1" in t or "/v1" in t for t in shown), shown
