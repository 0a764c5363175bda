"""Feedback records (JSONL, latest per answer), expected figures, and the Markdown export."""

from __future__ import annotations

import json
import multiprocessing
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from ingest.models import Chunk, DocumentMeta
from nghiquyet.answer.models import Answer, Citation
from nghiquyet.conversation import ResolvedQuestion, Turn
from core.errors import FeedbackError
from nghiquyet.export import conversation_markdown, format_seconds
from nghiquyet.feedback import append_feedback, expected_figures, load_feedback, record_for
from retrieval.models import Filters, Passage

PASSAGE = "1. Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.\n2. GRDP bình quân đầu người đạt 69 triệu đồng."
DOC = DocumentMeta(
    source="tra-vinh.txt", title="Tài liệu tuyên truyền năm 2021", province="Trà Vinh", years=(2020, 2021)
)


def make_answer(text: str = "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh là từ 11% trở lên [1].", *,
                passage: str = PASSAGE, refused: bool = False) -> Answer:
    chunk = Chunk(passage, DOC.source, ("B. NHIỆM VỤ NĂM 2021", "1. Chỉ tiêu kinh tế"), None, "indicator", 41, DOC)
    start = passage.find("11%")
    citation = Citation(1, Passage(chunk, 0.9), ((start, start + 3),) if start >= 0 else ())
    return Answer(
        question="Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?",
        answer=text,
        refused=refused,
        citations=() if refused else (citation,),
        passages=(citation.passage,),
    )


def test_feedback_is_appended_as_json_lines_and_latest_wins(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "feedback.jsonl"
    answer = make_answer()
    append_feedback(path, record_for("t1", answer, "down"))
    append_feedback(path, record_for("t1", answer, "up", comment="  đúng số liệu  "))
    append_feedback(path, record_for("t2", make_answer(refused=True, text="Không tìm thấy."), "down"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["rating"] == "down" and first["question"] == answer.question
    assert first["citations"] == ["tra-vinh.txt · đoạn 42"]
    current = load_feedback(path)
    assert [(r.turn_id, r.rating, r.comment) for r in current] == [("t1", "up", "đúng số liệu"), ("t2", "down", "")]
    assert current[1].refused


def test_resolved_question_is_recorded_when_it_differs() -> None:
    from dataclasses import replace

    answer = replace(make_answer(), question="Còn Sóc Trăng thì sao?", resolved_question="Chỉ tiêu … của Sóc Trăng?")
    record = record_for("t", answer, "up")
    assert record.question == "Còn Sóc Trăng thì sao?"
    assert record.resolved_question == "Chỉ tiêu … của Sóc Trăng?"


def test_a_truncated_line_does_not_hide_the_others(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    append_feedback(path, record_for("t1", make_answer(), "up"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"turn_id": "t2", "rating": "up", "questi')
    assert [r.turn_id for r in load_feedback(path)] == ["t1"]


def test_bad_rating_and_unwritable_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        record_for("t", make_answer(), "meh")  # type: ignore[arg-type]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(FeedbackError) as info:
        append_feedback(blocker / "feedback.jsonl", record_for("t", make_answer(), "up"))
    assert "Không ghi được góp ý" in info.value.user_message()


def _writer(path: str, n: int) -> None:
    for i in range(n):
        append_feedback(Path(path), record_for(f"{multiprocessing.current_process().pid}-{i}", make_answer(), "up"))


def test_several_processes_append_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(path), 40)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 120
    assert all(json.loads(line)["rating"] == "up" for line in lines)


def test_expected_figures_are_the_answer_numbers_as_written_without_years_and_markers() -> None:
    answer = make_answer("Năm 2021: GRDP tăng 11% [1]; bình quân 69 triệu đồng/người [2]; vốn 30.000 tỷ đồng [1].")
    assert expected_figures(answer) == ("11%", "69 triệu đồng/người", "30.000 tỷ đồng")
    assert expected_figures(make_answer("Không có số liệu [1].")) == ()


MD = MarkdownIt("commonmark")


def test_export_holds_questions_answers_and_highlighted_citations() -> None:
    resolved = ResolvedQuestion("Còn Sóc Trăng thì sao?", "Chỉ tiêu tăng trưởng GRDP năm 2021 của Sóc Trăng?")
    turns = [
        Turn("Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?", None, make_answer(), elapsed_s=0.4234),
        Turn("Còn Sóc Trăng thì sao?", resolved, make_answer(refused=True, text="Không tìm thấy thông tin."), elapsed_s=0.2),
        Turn("?", None, error="Câu hỏi không có chữ hay số nào để tìm."),
    ]
    md = conversation_markdown(turns, exported_at=datetime(2025, 3, 1, 9, 30))
    html = MD.render(md)
    text = re.sub(r"<[^>]+>", "", html)
    assert md.startswith("# Hỏi đáp nghị quyết")
    assert "Xuất lúc 01/03/2025 09:30 · 3 câu hỏi" in text
    assert "<h2>1. Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?</h2>" in html
    assert "Đã tìm: Chỉ tiêu tăng trưởng GRDP năm 2021 của Sóc Trăng?" in text
    assert "0,42 giây" in text
    assert "Không tìm thấy câu trả lời" in text
    assert "Lỗi: Câu hỏi không có chữ hay số nào để tìm." in text
    # The cited figure is bold inside the quoted passage, and the citation names its document.
    assert re.search(r"<blockquote>.*<strong>11%</strong>.*</blockquote>", html, re.S)
    assert "Tài liệu tuyên truyền năm 2021 · Trà Vinh · năm 2020–2021 · B. NHIỆM VỤ NĂM 2021 › 1. Chỉ tiêu kinh tế · đoạn 42" in html


def test_export_keeps_document_markup_inert() -> None:
    hostile = "GRDP 11% <script>alert(1)</script> ![x](http://127.0.0.1:9/?d=secret) [a](javascript:alert(1))"
    md = conversation_markdown([Turn("q", None, make_answer(passage=hostile), elapsed_s=0.1)])
    html = MD.render(md)
    assert "<img" not in html and "<a " not in html and "<script" not in html
    assert "&lt;script&gt;" in html and "![x](http://127.0.0.1:9/?d=secret)" in html


def test_format_seconds_uses_a_decimal_comma() -> None:
    assert format_seconds(1.5) == "1,50 giây"


# --- plain text, .docx, places ------------------------------------------------------------------------
KG_PASSAGE = "a) Tăng trưởng kinh tế đạt 7,23%, thu nhập bình quân đầu người 2.458 USD (theo giá hiện hành)."
KG_DOC = DocumentMeta(source="kien-giang.txt", title="Nghị quyết 27 về nhiệm vụ năm 2020", province="Kiên Giang", years=(2020,))


def kg_turn() -> Turn:
    chunk = Chunk(KG_PASSAGE, KG_DOC.source, ("B. NHIỆM VỤ NĂM 2020", "I. Chỉ tiêu", "2. Kinh tế"), None, "indicator", 79, KG_DOC)
    start = KG_PASSAGE.index("Tăng")
    citation = Citation(1, Passage(chunk, 0.9), ((start, KG_PASSAGE.index("%") + 1),))
    answer = Answer(
        question="Chỉ tiêu tăng trưởng GRDP năm 2020 của Kiên Giang?",
        answer="Năm 2020, Kiên Giang đặt chỉ tiêu: tăng trưởng kinh tế đạt 7,23%, thu nhập bình quân 2.458 USD [1].",
        refused=False, citations=(citation,), passages=(citation.passage,),
    )
    return Turn(answer.question, None, answer, filters=Filters(provinces=("Kiên Giang",)))


def test_passage_place_reads_as_section_and_paragraph_or_page() -> None:
    from nghiquyet.export import passage_place, section_number

    chunk = kg_turn().answer.citations[0].passage.chunk  # type: ignore[union-attr]
    assert passage_place(chunk, 148) == "mục B.I.2, đoạn 80/148"
    assert passage_place(chunk) == "mục B.I.2, đoạn 80"
    assert passage_place(replace(chunk, page=3), 148) == "trang 3"
    assert passage_place(replace(chunk, heading_path=("Tình hình chung",)), 10) == "đoạn 80/10"
    assert section_number(("PHẦN II. NHIỆM VỤ", "1.2. Kinh tế", "a) Nông nghiệp")) == "II.1.2.a"


def test_copied_text_has_no_markdown_escapes_and_lists_its_source() -> None:
    from nghiquyet.export import turn_text

    text = turn_text(kg_turn(), {"kien-giang.txt": 148})
    assert "7,23%" in text and "2.458 USD" in text and "\\" not in text and "**" not in text
    assert "Đang lọc: Kiên Giang" in text
    assert "[1] Nghị quyết 27 về nhiệm vụ năm 2020 — Kiên Giang, năm 2020 — mục B.I.2, đoạn 80/148 (tệp kien-giang.txt)" in text
    assert "“Tăng trưởng kinh tế đạt 7,23%" in text


def test_conversation_exports_as_plain_text_and_docx() -> None:
    import io

    from docx import Document

    from nghiquyet.conversation import GREETING_REPLY
    from nghiquyet.export import conversation_docx, conversation_text

    turns = [Turn("xin chào", reply=GREETING_REPLY), kg_turn(), Turn("?", None, error="Câu hỏi không có chữ hay số nào để tìm.")]
    text = conversation_text(turns, exported_at=datetime(2025, 3, 1, 9, 30))
    assert "Xuất lúc 01/03/2025 09:30 · 3 câu hỏi" in text and "\\" not in text
    assert "1. Hỏi: xin chào\nTrả lời: Xin chào anh/chị" in text
    assert "Lỗi: Câu hỏi không có chữ hay số nào để tìm." in text

    document = Document(io.BytesIO(conversation_docx(turns, {"kien-giang.txt": 148})))
    paragraphs = [p.text for p in document.paragraphs]
    assert "2. Chỉ tiêu tăng trưởng GRDP năm 2020 của Kiên Giang?" in paragraphs
    assert any("7,23%" in p and "[1]" in p for p in paragraphs)
    assert not any("\\" in p for p in paragraphs)
    quote = next(p for p in document.paragraphs if p.style.name == "Quote")
    bold = "".join(r.text for r in quote.runs if r.bold)
    assert bold.startswith("Tăng trưởng kinh tế đạt 7,23%") and quote.text == KG_PASSAGE


def test_a_province_outside_the_filter_is_reported_only_when_indexed() -> None:
    from nghiquyet.filter_scope import provinces_outside

    tv = DocumentMeta(source="tv.txt", province="Trà Vinh", years=(2020, 2021))
    docs = [tv, KG_DOC]
    only_tv = Filters(provinces=("Trà Vinh",))
    assert provinces_outside(["Kiên Giang"], only_tv, docs) == ("Kiên Giang",)
    assert provinces_outside(["Trà Vinh"], only_tv, docs) == ()
    assert provinces_outside(["Bạc Liêu"], only_tv, docs) == ()  # not indexed: the answer says so itself
    assert provinces_outside(["Kiên Giang"], Filters(), docs) == ()
    assert provinces_outside(["Kiên Giang"], Filters(sources=("tv.txt",)), docs) == ("Kiên Giang",)
    assert provinces_outside(["Kiên Giang"], Filters(years=(2021,)), docs) == ("Kiên Giang",)


def test_admin_figures_come_from_the_passage_not_from_words() -> None:
    from nghiquyet.feedback import passage_figures

    text = "Do ảnh hưởng của dịch Covid-19, 03 mặt hàng giảm; tăng trưởng GRDP năm 2020 đạt 3,32%, thu ngân sách 2.458 tỷ đồng."
    chunk = Chunk(text, DOC.source, (), None, "indicator", 3, DOC)
    start = text.index("tăng trưởng")
    figures = passage_figures((Citation(1, Passage(chunk, 0.9), ((start, len(text)),)),))
    assert figures[:2] == ("3,32%", "2.458 tỷ đồng")  # the cited sentence's figures first
    assert "19" not in figures and "2020" not in figures
    assert "03" in figures  # a count the admin may still choose: it is offered, never chosen for them


def test_llm_notes_never_show_addresses_or_exception_text() -> None:
    from nghiquyet.engine import public_reason, without_addresses

    assert public_reason("Không gọi được mô hình ngôn ngữ q @ http://10.0.0.5:8080/v1: hết thời gian chờ") == (
        "mô hình ngôn ngữ không trả lời kịp"
    )
    assert public_reason("Không gọi được mô hình ngôn ngữ q @ http://10.0.0.5:8080/v1: không kết nối được") == (
        "không kết nối được mô hình ngôn ngữ"
    )
    assert public_reason("Không gọi được mô hình q @ http://h/v1: APIStatusError: 500") == (
        "mô hình ngôn ngữ không dùng được lúc này"
    )
    reason = "Mô hình không tìm thấy câu trả lời trong các đoạn trích; hiển thị câu trả lời trích xuất."
    assert public_reason(reason) == reason
    assert without_addresses("Máy chủ http://10.0.0.5:8080/v1 chậm.") == "Máy chủ chậm."
