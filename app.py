"""The Streamlit app officials use in meetings: ask in Vietnamese, read the figure and its source.

Run: `nghiquyet serve` (or `streamlit run app.py`). Two pages: the chat (here) and the document
library (`pages/library.py`). Everything the app knows comes from `nghiquyet.engine.Engine`; this
file only draws widgets, keeps the conversation in `st.session_state` and redraws it each rerun.
Text from documents and LLMs is always shown through `nghiquyet.safe_text` (never as Markdown or
HTML of its own).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import streamlit as st

from nghiquyet.answer.models import Citation
from nghiquyet.answer.numbers import figure_spans
from core.config import Settings
from nghiquyet.conversation import ResolvedQuestion, Turn, last_resolved, resolve_question, suggested_questions
from nghiquyet.engine import Engine
from nghiquyet.export import citation_heading, conversation_markdown, format_seconds, year_span
from nghiquyet.feedback import Rating, append_feedback, expected_figures, record_for
from nghiquyet.safe_text import answer_markdown, escape_markdown, markdown_block
from pages import common
from retrieval.models import Filters

if TYPE_CHECKING:
    from vectorstore.store import StoredDocument

LIBRARY_PAGE = "pages/library.py"
QUESTION_PLACEHOLDER = "Nhập câu hỏi về chỉ tiêu, kết quả, số liệu…"
PASSAGE_PREVIEW = 3  # nearest passages shown under a refusal
# Material icons ship with Streamlit; emoji need a colour-emoji font many Linux desktops lack.
CITATION_MARKER = re.compile(r"\[S?\d+\]")
USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = ":material/account_balance:"


# --- state ------------------------------------------------------------------------------------------
def _turns() -> list[Turn]:
    return st.session_state.setdefault("turns", [])


def _new_conversation() -> None:
    for key in ("turns", "ratings", "commented", "regression_added", "pending_question"):
        st.session_state.pop(key, None)


def _ask_example(question: str) -> None:
    st.session_state["pending_question"] = question


# --- sidebar ----------------------------------------------------------------------------------------
def _conversation_actions(turns: list[Turn]) -> None:
    """New conversation, export. Drawn after the question of this run is answered, so both include it."""
    if not turns:
        return  # nothing to clear or export: a first-time reader sees only what is useful now
    st.button(
        "Cuộc hội thoại mới", icon=":material/restart_alt:", on_click=_new_conversation, width="stretch",
        key="new_conversation",
    )
    st.download_button(
        "Tải cuộc hội thoại (Markdown)",
        data=conversation_markdown(turns),
        file_name=f"hoi-dap-nghi-quyet-{datetime.now():%Y%m%d-%H%M}.md",
        mime="text/markdown",
        icon=":material/download:",
        width="stretch",
        key="export",
    )


def _sidebar(settings: Settings, docs: Sequence["StoredDocument"]) -> tuple[Filters, bool]:
    """Filters and answer mode. Returns the filters and whether to use the LLM."""
    with st.sidebar:
        st.subheader("Bộ lọc")
        provinces = sorted({d.meta.province for d in docs if d.meta.province})
        years = sorted({y for d in docs for y in d.meta.years}, reverse=True)
        titles = {d.meta.source: d.meta.title or d.meta.source for d in docs}
        chosen_provinces = st.multiselect("Tỉnh", provinces, key="filter_provinces", placeholder="Tất cả các tỉnh")
        chosen_years = st.multiselect("Năm", years, key="filter_years", placeholder="Tất cả các năm")
        chosen_sources = st.multiselect(
            "Tài liệu", list(titles), key="filter_sources", placeholder="Tất cả tài liệu",
            format_func=lambda s: titles.get(s, s),
        )
        use_llm = False
        if settings.llm_enabled:
            mode = st.radio(
                "Cách trả lời",
                ["extractive", "llm"],
                key="answer_mode",
                format_func=lambda m: "Trích nguyên văn (không dùng LLM)" if m == "extractive"
                else f"Dùng LLM ({settings.llm_model})",
            )
            use_llm = mode == "llm"
        st.caption(f"Thư viện: {len(docs)} tài liệu.")
    filters = Filters(
        provinces=tuple(chosen_provinces), years=tuple(int(y) for y in chosen_years), sources=tuple(chosen_sources)
    )
    return filters, use_llm


# --- one turn ---------------------------------------------------------------------------------------
def _answer(
    engine: Engine, question: str, previous: ResolvedQuestion | None, filters: Filters, use_llm: bool
) -> Turn:
    """Resolve the question in the conversation's context, ask the engine; an error becomes the turn's message."""
    started = time.perf_counter()
    resolved = None
    try:
        resolved = resolve_question(question, previous, engine.retriever.analyze)
        answer = engine.ask(resolved.text, filters=filters, use_llm=use_llm)
        answer = replace(
            answer, question=resolved.asked, resolved_question=resolved.text if resolved.changed else None
        )
        return Turn(question, resolved, answer, elapsed_s=time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - shown as a message in the conversation, app keeps running
        return Turn(question, resolved, error=common.error_message(exc), elapsed_s=time.perf_counter() - started)


def _chip_label(citation: Citation) -> str:
    """"[1] Trà Vinh · 2020–2021 · đoạn 42": which document, at a glance."""
    chunk = citation.passage.chunk
    parts = [chunk.doc.province or chunk.doc.title or chunk.source]
    if chunk.doc.years:
        parts.append(year_span(chunk.doc.years).removeprefix("năm "))
    parts.append(chunk.location)
    return escape_markdown(f"[{citation.n}] " + " · ".join(parts))


def _answer_figures(text: str) -> list[tuple[int, int]]:
    """Figures of an answer, to print in bold (not the digits of its [n] markers)."""
    markers = [m.span() for m in CITATION_MARKER.finditer(text)]
    return [s for s in figure_spans(text) if not any(a <= s[0] < b for a, b in markers)]


def _passage_markdown(text: str, highlights: Sequence[Sequence[int]]) -> str:
    """The passage with the cited sentence on a coloured background and its figures in bold."""
    figures = [span for start, end in highlights for span in figure_spans(text, start, end)]
    return markdown_block(text, highlights, strong=figures)


def _citation(turn_id: str, citation: Citation) -> None:
    """A chip; opening it shows where the passage comes from and the passage with the cited part marked."""
    chunk = citation.passage.chunk
    doc = chunk.doc
    with st.popover(_chip_label(citation), key=f"cite-{turn_id}-{citation.n}"):
        st.markdown(f"**{escape_markdown(doc.title or chunk.source)}**")
        facts = []
        if doc.province:
            facts.append(f"Tỉnh: {doc.province}")
        if doc.years:
            facts.append(year_span(doc.years).capitalize())
        if doc.doc_type or doc.number:
            facts.append(" ".join(x for x in (doc.doc_type, doc.number) if x).capitalize())
        facts.append(f"Vị trí: {chunk.location}")
        st.caption(" · ".join(escape_markdown(f) for f in facts))
        if chunk.heading_path:
            st.caption("Mục: " + escape_markdown(" › ".join(chunk.heading_path)))
        with st.container(border=True):
            st.markdown(_passage_markdown(chunk.text, citation.highlights))
        st.caption(f"Tệp: {escape_markdown(chunk.source)}")


def _save_rating(settings: Settings, turn: Turn, filters: Filters) -> None:
    """on_change of the 👍/👎 widget: the click alone is a verdict, saved at once."""
    value = st.session_state.get(f"rating-{turn.id}")
    ratings = st.session_state.setdefault("ratings", {})
    if value is None or turn.answer is None:
        ratings.pop(turn.id, None)
        return
    rating: Rating = "up" if value == 1 else "down"
    try:
        append_feedback(settings.feedback_path, record_for(turn.id, turn.answer, rating, filters=_filters_dict(filters)))
        ratings[turn.id] = rating
    except Exception as exc:  # noqa: BLE001
        st.session_state.setdefault("flash", {})[turn.id] = common.error_message(exc)


def _filters_dict(filters: Filters) -> dict[str, list[str]]:
    return {
        "provinces": list(filters.provinces),
        "years": [str(y) for y in filters.years],
        "sources": list(filters.sources),
    }


def _feedback(settings: Settings, turn: Turn, filters: Filters) -> None:
    answer = turn.answer
    assert answer is not None
    ratings = st.session_state.setdefault("ratings", {})
    st.feedback("thumbs", key=f"rating-{turn.id}", on_change=_save_rating, args=(settings, turn, filters))
    flash = st.session_state.setdefault("flash", {}).pop(turn.id, None)
    if flash:
        st.error(escape_markdown(flash), icon=":material/error:")
    rating = ratings.get(turn.id)
    if rating is None:
        return
    commented = st.session_state.setdefault("commented", set())
    if turn.id in commented:
        st.caption("Đã lưu đánh giá và nhận xét. Cảm ơn anh/chị!")
    else:
        st.caption("Đã lưu đánh giá. Có thể thêm nhận xét (không bắt buộc):")
        with st.form(key=f"comment-form-{turn.id}", border=False, clear_on_submit=True):
            comment = st.text_input(
                "Nhận xét", key=f"comment-{turn.id}", label_visibility="collapsed",
                placeholder="Ví dụ: số liệu đúng nhưng thiếu đơn vị…",
            )
            if st.form_submit_button("Gửi nhận xét") and comment.strip():
                with common.reported_errors():
                    append_feedback(
                        settings.feedback_path,
                        record_for(turn.id, answer, rating, comment=comment, filters=_filters_dict(filters)),
                    )
                    commented.add(turn.id)
                    st.toast("Đã lưu nhận xét.", icon=":material/check_circle:")
                    st.rerun()
    if rating == "up" and not answer.refused and answer.citations:
        _regression_button(settings, turn)


def _regression_button(settings: Settings, turn: Turn) -> None:
    from nghiquyet.evaluation.questions import append_question, load_questions, question_from_answer

    answer = turn.answer
    assert answer is not None
    added = st.session_state.setdefault("regression_added", {})
    figures = expected_figures(answer)
    if turn.id in added:
        st.caption(f"Đã thêm vào bộ câu hỏi kiểm thử (id: {escape_markdown(added[turn.id])}).")
        return
    if not figures:
        return
    label = "Thêm vào bộ câu hỏi kiểm thử"
    if st.button(label, key=f"regression-{turn.id}", icon=":material/playlist_add:", help="Số liệu mong đợi: " + ", ".join(figures)):
        with common.reported_errors():
            searched = answer.resolved_question or answer.question
            existing = [q.id for q in load_questions(settings.questions_file).questions]
            entry = question_from_answer(replace(answer, question=searched), figures, existing_ids=existing)
            append_question(settings.questions_file, entry)
            added[turn.id] = entry.id
            st.rerun()


def _answer_body(settings: Settings, turn: Turn, filters: Filters) -> None:
    if turn.resolved is not None and turn.resolved.changed:
        st.caption(":material/search: Đã tìm: " + escape_markdown(turn.resolved.text))
    if turn.error is not None:
        st.error(escape_markdown(turn.error), icon=":material/error:")
        return
    answer = turn.answer
    assert answer is not None
    if answer.refused:
        st.warning(answer_markdown(answer.answer), icon=":material/search_off:")
    else:
        st.markdown(answer_markdown(answer.answer, strong=_answer_figures(answer.answer)))
    if answer.citations:
        with st.container(horizontal=True, gap="small", key=f"chips-{turn.id}"):
            for citation in answer.citations:
                _citation(turn.id, citation)
    mode = f"dùng LLM ({settings.llm_model})" if answer.mode == "llm" else "trích nguyên văn, không dùng LLM"
    st.caption(f":material/schedule: Trả lời trong {format_seconds(turn.elapsed_s)} · {escape_markdown(mode)}")
    if answer.fallback_reason:
        st.caption("LLM không dùng được, đã trả lời bằng trích dẫn: " + escape_markdown(answer.fallback_reason))
    for note in answer.notes:
        st.caption(escape_markdown(note))
    if answer.refused and answer.passages:
        with st.expander("Các đoạn gần nhất đã xem"):
            for passage in answer.passages[:PASSAGE_PREVIEW]:
                st.caption(citation_heading(Citation(0, passage)))
                st.markdown(markdown_block(passage.chunk.text))
    _feedback(settings, turn, filters)


def _turn(settings: Settings, turn: Turn, filters: Filters) -> None:
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(turn.question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR):
        _answer_body(settings, turn, filters)


# --- page -------------------------------------------------------------------------------------------
def _welcome(docs: Sequence["StoredDocument"]) -> None:
    if not docs:
        st.info("Thư viện chưa có tài liệu nào. Hãy nạp tài liệu ở trang Thư viện tài liệu.", icon=":material/info:")
        st.page_link(LIBRARY_PAGE, label="Mở Thư viện tài liệu", icon=":material/library_books:")
        return
    examples, follow_up = suggested_questions([d.meta for d in docs])
    st.markdown("**Thử một câu hỏi** (hoặc gõ câu hỏi của anh/chị vào ô bên dưới):")
    with st.container(horizontal=True, gap="small", key="examples"):
        for i, example in enumerate(examples):
            st.button(escape_markdown(example), key=f"example-{i}", on_click=_ask_example, args=(example,))
    if follow_up:
        st.caption(
            "Sau đó có thể hỏi tiếp ngắn gọn, ví dụ " + escape_markdown(f"“{follow_up}”")
            + " — tỉnh, năm, chỉ tiêu mà câu trước đã nêu được giữ nguyên. "
            "Bấm vào nguồn \\[1\\], \\[2\\]… dưới câu trả lời để xem đoạn văn gốc."
        )


def chat_page() -> None:
    settings = common.current_settings()
    engine = common.engine_for(settings)
    turns = _turns()
    st.title("Hỏi đáp nghị quyết")
    st.caption("Tra cứu chỉ tiêu, kết quả trong nghị quyết và báo cáo của các tỉnh — câu trả lời kèm trích dẫn nguồn.")
    docs: list[StoredDocument] = []
    try:
        docs = common.documents(engine)
    except Exception as exc:  # noqa: BLE001 - the page still opens; asking shows the error again
        common.show_error(exc)
    actions = st.sidebar.container()
    filters, use_llm = _sidebar(settings, docs)
    # The input is pinned to the bottom wherever it is called; reading it first lets this run know
    # whether a question is coming (then the welcome is not drawn above the answer).
    question = st.chat_input(QUESTION_PLACEHOLDER, key="question", max_chars=settings.max_question_chars)
    question = question or st.session_state.pop("pending_question", None)
    if not turns and not question:
        _welcome(docs)
    for turn in turns:
        _turn(settings, turn, filters)
    if question:
        with st.chat_message("user", avatar=USER_AVATAR):
            st.markdown(escape_markdown(question))
        with st.chat_message("assistant", avatar=ASSISTANT_AVATAR):
            with st.spinner("Đang tìm trong tài liệu…"):
                turn = _answer(engine, question, last_resolved(turns), filters, use_llm)
            turns.append(turn)
            _answer_body(settings, turn, filters)
    with actions:
        _conversation_actions(turns)
    if not question and docs and "retriever" not in engine.__dict__:
        # First visit in this process: load the model and the index while the reader looks at the page.
        with st.spinner("Đang chuẩn bị bộ tìm kiếm…"):
            try:
                engine.retriever  # noqa: B018 - builds the embedder, store and lexical index once
            except Exception:  # noqa: BLE001 - the next question reports it
                common.log.warning("warm-up failed", exc_info=True)


def main() -> None:
    st.set_page_config(
        page_title=common.APP_TITLE, page_icon=":material/account_balance:", layout="wide",
        initial_sidebar_state="auto",
    )
    common.apply_style()
    pages = [
        st.Page(chat_page, title="Hỏi đáp", icon=":material/forum:", default=True),
        st.Page(LIBRARY_PAGE, title="Thư viện tài liệu", icon=":material/library_books:", url_path="thu-vien"),
    ]
    st.navigation(pages).run()


main()
