"""The Streamlit app officials use in meetings: ask in Vietnamese, read the figure and its source.

Run: `nghiquyet serve` (or `streamlit run app.py`). Two pages: the chat (here) and the document
library (`pages/library.py`). Everything the app knows comes from `nghiquyet.engine.Engine`; this
file only draws widgets, keeps the conversation in `st.session_state` and redraws it each rerun.
Text from documents and LLMs is always shown through `nghiquyet.safe_text` (never as Markdown or
HTML of its own).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import streamlit as st

from nghiquyet.answer.models import Answer, Citation
from nghiquyet.answer.numbers import figure_spans
from core.config import Settings
from nghiquyet.conversation import (
    ResolvedQuestion,
    Turn,
    context_label,
    last_resolved,
    resolve_question,
    small_talk_reply,
    suggested_questions,
)
from nghiquyet.engine import Engine, public_reason, without_addresses
from nghiquyet.export import (
    citation_heading,
    conversation_docx,
    conversation_text,
    filter_label,
    format_seconds,
    turn_text,
)
from nghiquyet.feedback import Rating, add_regression_question, append_feedback, passage_figures, record_for
from nghiquyet.filter_scope import provinces_outside
from nghiquyet.safe_text import answer_markdown, escape_markdown, markdown_block
from pages import common, document, source_view
from retrieval.models import Filters

if TYPE_CHECKING:
    from vectorstore.store import StoredDocument

LIBRARY_PAGE = "pages/library.py"
QUESTION_PLACEHOLDER = "Nhập câu hỏi về chỉ tiêu, kết quả, số liệu…"
PASSAGE_PREVIEW = 3  # nearest passages shown under a refusal
# Material icons ship with Streamlit; emoji need a colour-emoji font many Linux desktops lack.
USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = ":material/account_balance:"


class Library:
    """What the sidebar and the answers need to know about the indexed documents, read once per run."""

    def __init__(self, docs: Sequence["StoredDocument"]) -> None:
        self.docs = list(docs)
        self.metas = [d.meta for d in docs]
        self.totals: dict[str, int] = {d.meta.source: d.chunk_count for d in docs}
        self.titles: dict[str, str] = {d.meta.source: d.meta.title or d.meta.source for d in docs}


# --- state ------------------------------------------------------------------------------------------
def _turns() -> list[Turn]:
    return st.session_state.setdefault("turns", [])


def _new_conversation() -> None:
    for key in ("turns", "ratings", "commented", "regression_added", "pending_question", "context_from"):
        st.session_state.pop(key, None)


def _ask_example(question: str) -> None:
    st.session_state["pending_question"] = question


def _ask_without_filter(question: str) -> None:
    st.session_state["pending_question"] = question
    st.session_state["pending_unfiltered"] = True


def _context(turns: list[Turn]) -> ResolvedQuestion | None:
    """What the next question inherits: the last answered turn's context, unless the reader dropped it."""
    return last_resolved(turns[st.session_state.get("context_from", 0):])


def _drop_context() -> None:
    st.session_state["context_from"] = len(_turns())


# --- sidebar ----------------------------------------------------------------------------------------
def _conversation_actions(turns: list[Turn], library: Library) -> None:
    """New conversation, export. Drawn after the question of this run is answered, so both include it."""
    if not turns:
        return  # nothing to clear or export: a first-time reader sees only what is useful now
    st.button(
        "Cuộc hội thoại mới", icon=":material/restart_alt:", on_click=_new_conversation, width="stretch",
        key="new_conversation",
    )
    stamp = f"hoi-dap-nghi-quyet-{datetime.now():%Y%m%d-%H%M}"
    st.download_button(
        "Tải về bản Word (.docx)",
        data=conversation_docx(turns, library.totals, titles=library.titles),
        file_name=f"{stamp}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/description:", width="stretch", key="export_docx",
    )
    st.download_button(
        "Tải về văn bản thuần (.txt)",
        data=conversation_text(turns, library.totals, titles=library.titles),
        file_name=f"{stamp}.txt", mime="text/plain", icon=":material/download:", width="stretch", key="export_txt",
    )


def _sidebar(settings: Settings, library: Library) -> tuple[Filters, bool]:
    """Filters and answer mode. Returns the filters and whether to use the LLM."""
    with st.sidebar:
        st.subheader("Bộ lọc")
        provinces = sorted({m.province for m in library.metas if m.province})
        years = sorted({y for m in library.metas for y in m.years}, reverse=True)
        titles = library.titles
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
        st.caption(f"Thư viện: {len(library.docs)} tài liệu.")
        if settings.admin_mode:
            st.caption(":material/admin_panel_settings: Chế độ quản trị: bật (NGHIQUYET_ADMIN_MODE).")
    filters = Filters(
        provinces=tuple(chosen_provinces), years=tuple(int(y) for y in chosen_years), sources=tuple(chosen_sources)
    )
    return filters, use_llm


# --- one turn ---------------------------------------------------------------------------------------
def _staged_llm_answer(engine: Engine, text: str, filters: Filters) -> Answer:
    """LLM mode: the extractive answer at once, then the LLM's, kept only when its figures check out.

    The official reads the extractive answer while the model writes; the stages say what is happening.
    """
    status = st.status("Đang tìm tài liệu…", expanded=True)
    with status:
        draft = engine.ask(text, filters=filters, use_llm=False)
        st.caption(":material/check: Tìm tài liệu: xong.")
        with st.container(key="draft-answer"):
            st.markdown(answer_markdown(draft.answer, strong=_answer_figures(draft.answer)))
            st.caption("Câu trả lời trích nguyên văn — LLM đang soạn câu trả lời đầy đủ hơn.")
        status.update(label="Đang soạn câu trả lời và kiểm tra số liệu (LLM)…")
        final = engine.ask(text, filters=filters, use_llm=True)
        if final.mode == "llm":
            status.update(label="Đã kiểm tra số liệu: câu trả lời của LLM khớp với tài liệu.", state="complete",
                          expanded=False)
        else:
            status.update(label="Giữ câu trả lời trích nguyên văn.", state="complete", expanded=False)
    return final


def _answer(
    engine: Engine, question: str, previous: ResolvedQuestion | None, filters: Filters, use_llm: bool,
    library: Library,
) -> Turn:
    """Resolve the question in the conversation's context, ask the engine; an error becomes the turn's message."""
    started = time.perf_counter()
    reply = small_talk_reply(question)
    if reply is not None:
        return Turn(question, reply=reply, elapsed_s=time.perf_counter() - started)
    resolved = None
    try:
        resolved = resolve_question(question, previous, engine.retriever.analyze)
        outside = provinces_outside(resolved.provinces, filters, library.metas)
        if outside:
            # Searching would tell the reader the province's documents say nothing: false.
            return Turn(question, resolved, filters=filters, out_of_filter=outside,
                        elapsed_s=time.perf_counter() - started)
        if use_llm:
            answer = _staged_llm_answer(engine, resolved.text, filters)
        else:
            answer = engine.ask(resolved.text, filters=filters, use_llm=False)
        answer = replace(
            answer, question=resolved.asked, resolved_question=resolved.text if resolved.changed else None
        )
        return Turn(question, resolved, answer, elapsed_s=time.perf_counter() - started, filters=filters)
    except Exception as exc:  # noqa: BLE001 - shown as a message in the conversation, app keeps running
        return Turn(question, resolved, error=common.error_message(exc), elapsed_s=time.perf_counter() - started,
                    filters=filters)


def _answer_figures(text: str) -> list[tuple[int, int]]:
    """Figures of an answer, to print in bold (not the digits of its [n] markers)."""
    markers = [m.span() for m in source_view.MARKER.finditer(text)]
    return [s for s in figure_spans(text) if not any(a <= s[0] < b for a, b in markers)]


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


def _feedback(settings: Settings, turn: Turn) -> None:
    answer = turn.answer
    assert answer is not None
    ratings = st.session_state.setdefault("ratings", {})
    st.feedback("thumbs", key=f"rating-{turn.id}", on_change=_save_rating, args=(settings, turn, turn.filters))
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
                        record_for(turn.id, answer, rating, comment=comment, filters=_filters_dict(turn.filters)),
                    )
                    commented.add(turn.id)
                    st.toast("Đã lưu nhận xét.", icon=":material/check_circle:")
                    st.rerun()
    if settings.admin_mode and rating == "up" and not answer.refused and answer.citations:
        _regression_form(settings, turn)


def _regression_form(settings: Settings, turn: Turn) -> None:
    """Admin only: the approved answer becomes a regression item, its expected figures picked from the passage."""
    answer = turn.answer
    assert answer is not None
    added = st.session_state.setdefault("regression_added", {})
    if turn.id in added:
        st.caption(f"Đã thêm vào bộ câu hỏi kiểm thử (id: {escape_markdown(added[turn.id])}).")
        return
    figures = passage_figures(answer.citations)
    if not figures:
        return
    path = settings.admin_questions_path
    with st.form(key=f"regression-form-{turn.id}", border=True):
        st.caption("Quản trị: thêm câu hỏi này vào bộ câu hỏi kiểm thử — tệp " + escape_markdown(str(path)))
        chosen = st.multiselect(
            "Số liệu mong đợi (chọn trong đoạn trích dẫn)", figures, key=f"regression-figures-{turn.id}",
            placeholder="Chọn số liệu câu trả lời đúng phải có",
        )
        if st.form_submit_button("Thêm vào bộ câu hỏi kiểm thử", icon=":material/playlist_add:"):
            if not chosen:
                st.warning("Hãy chọn ít nhất một số liệu mong đợi.", icon=":material/warning:")
                return
            with common.reported_errors():
                searched = answer.resolved_question or answer.question
                added[turn.id] = add_regression_question(path, replace(answer, question=searched), chosen)
                st.rerun()


def _copy_button(turn: Turn, library: Library) -> None:
    """The answer as plain text with its sources; the code box's own button copies it."""
    with st.popover("Sao chép", icon=":material/content_copy:", key=f"copy-{turn.id}"):
        st.caption("Bấm biểu tượng sao chép ở góc khung để chép câu trả lời kèm nguồn.")
        st.code(turn_text(turn, library.totals, titles=library.titles), language=None, wrap_lines=True)


def _answer_body(settings: Settings, engine: Engine, turn: Turn, library: Library) -> None:
    active = filter_label(turn.filters, library.titles)
    if active:
        st.caption(":material/filter_alt: Đang lọc: " + escape_markdown(active))
    if turn.resolved is not None and turn.resolved.changed:
        st.caption(":material/search: Đã tìm: " + escape_markdown(turn.resolved.text))
    if turn.reply is not None:
        st.markdown(escape_markdown(turn.reply))
        return
    if turn.error is not None:
        st.error(escape_markdown(turn.error), icon=":material/error:")
        return
    if turn.out_of_filter:
        _out_of_filter(turn, active)
        return
    answer = turn.answer
    assert answer is not None
    if answer.refused:
        st.warning(answer_markdown(answer.answer), icon=":material/search_off:")
    else:
        body = answer_markdown(answer.answer, strong=_answer_figures(answer.answer))
        st.markdown(source_view.linked_markers(body, answer))
    if answer.citations:
        with st.container(horizontal=True, gap="small", key=f"chips-{turn.id}"):
            for citation in answer.citations:
                source_view.citation_popover(engine, turn.id, citation, library.totals)
    mode = f"dùng LLM ({settings.llm_model})" if answer.mode == "llm" else "trích nguyên văn, không dùng LLM"
    st.caption(f":material/schedule: Trả lời trong {format_seconds(turn.elapsed_s)} · {escape_markdown(mode)}")
    if answer.fallback_reason:
        st.caption(
            "Không dùng câu trả lời của LLM (" + escape_markdown(public_reason(answer.fallback_reason))
            + "); câu trả lời trên trích nguyên văn từ tài liệu."
        )
    for note in answer.notes:
        st.caption(escape_markdown(without_addresses(note)))
    if answer.refused and answer.passages:
        with st.expander("Các đoạn gần nhất đã xem"):
            for passage in answer.passages[:PASSAGE_PREVIEW]:
                st.caption(citation_heading(Citation(0, passage)))
                st.markdown(markdown_block(passage.chunk.text))
    with st.container(horizontal=True, gap="small", key=f"actions-{turn.id}", vertical_alignment="center"):
        _copy_button(turn, library)
    _feedback(settings, turn)


def _out_of_filter(turn: Turn, active: str) -> None:
    names = " và ".join(turn.out_of_filter)
    st.info(
        escape_markdown(
            f"Bộ lọc đang chỉ tìm trong: {active}. {names} nằm ngoài bộ lọc nên chưa tìm "
            f"(thư viện có tài liệu của {names})."
        ),
        icon=":material/filter_alt:",
    )
    assert turn.resolved is not None
    st.button(
        "Tìm không theo bộ lọc", key=f"unfiltered-{turn.id}", icon=":material/filter_alt_off:",
        on_click=_ask_without_filter, args=(turn.resolved.text,),
    )


def _turn(settings: Settings, engine: Engine, turn: Turn, library: Library) -> None:
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(turn.question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR):
        _answer_body(settings, engine, turn, library)


def _context_chip(context: ResolvedQuestion | None) -> None:
    """Under the input: what the next question will carry over, with × to drop it."""
    label = context_label(context) if context is not None else ""
    if not label:
        return
    with st.container(horizontal=True, gap="small", key="context_chip", vertical_alignment="center"):
        st.caption("Câu hỏi tiếp theo giữ ngữ cảnh:")
        st.button(
            escape_markdown(label) + "  ✕", key="drop_context", on_click=_drop_context, type="tertiary",
            help="Bỏ ngữ cảnh này: câu hỏi tiếp theo được tìm đúng như đã gõ",
        )


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
    if document.wanted():  # "Xem toàn văn" / an answer's [n], opened in a new tab
        document.document_page()
        return
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
    library = Library(docs)
    actions = st.sidebar.container()
    filters, use_llm = _sidebar(settings, library)
    # The input is pinned to the bottom wherever it is called; reading it first lets this run know
    # whether a question is coming (then the welcome is not drawn above the answer).
    question = st.chat_input(QUESTION_PLACEHOLDER, key="question", max_chars=settings.max_question_chars)
    chip_slot = st.bottom.container()  # under the input, where the next question is typed
    unfiltered = st.session_state.pop("pending_unfiltered", False)
    if question:
        unfiltered = False
    question = question or st.session_state.pop("pending_question", None)
    if not turns and not question:
        _welcome(docs)
    for turn in turns:
        _turn(settings, engine, turn, library)
    if question:
        with st.chat_message("user", avatar=USER_AVATAR):
            st.markdown(escape_markdown(question))
        with st.chat_message("assistant", avatar=ASSISTANT_AVATAR):
            previous = None if unfiltered else _context(turns)
            with st.spinner("Đang tìm trong tài liệu…"):
                turn = _answer(engine, question, previous, Filters() if unfiltered else filters, use_llm, library)
            turns.append(turn)
            _answer_body(settings, engine, turn, library)
    with chip_slot:
        _context_chip(_context(turns))
    with actions:
        _conversation_actions(turns, library)
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
    common.apply_language()
    pages = [
        st.Page(chat_page, title="Hỏi đáp", icon=":material/forum:", default=True),
        st.Page(LIBRARY_PAGE, title="Thư viện tài liệu", icon=":material/library_books:", url_path="thu-vien"),
    ]
    st.navigation(pages).run()


main()
