"""The whole text of one document, opened at a cited passage ("Xem toàn văn" and the answer's [n]).

The URL names the document and the passage (`/?nguon=<tệp>&doan=80`), on the app's main address: a
page of its own (`/toan-van`) opened in a new tab made Streamlit show "Page not found" first, because
it looks the path up among the files of `pages/` before `st.navigation` names the pages. The view
scrolls to the passage's heading once drawn, so the passage is on screen when it opens.
"""

from __future__ import annotations

import streamlit as st

from nghiquyet.export import passage_place, year_span
from nghiquyet.safe_text import escape_markdown, markdown_block
from pages import common
from pages.source_view import anchor


def _paragraph_number() -> int | None:
    raw = st.query_params.get("doan", "")
    return int(raw) if raw.isdigit() else None


def wanted() -> bool:
    """Whether the address asks for a document's full text rather than the chat."""
    return bool(st.query_params.get("nguon"))


def _back_to_chat() -> None:
    st.query_params.clear()


def document_page() -> None:
    settings = common.current_settings()
    engine = common.engine_for(settings)
    docs = []
    try:
        docs = common.documents(engine)
    except Exception as exc:  # noqa: BLE001 - the page says what is wrong and stays usable
        common.show_error(exc)
        return
    titles = {d.meta.source: d.meta.title or d.meta.source for d in docs}
    source = st.query_params.get("nguon")
    if source not in titles:
        st.title("Toàn văn tài liệu")
        if source:
            st.warning(escape_markdown(f"Không có tài liệu {source} trong thư viện."), icon=":material/search_off:")
        if not titles:
            st.info("Thư viện chưa có tài liệu nào.", icon=":material/info:")
            return
        source = st.selectbox("Tài liệu", list(titles), format_func=lambda s: titles.get(s, s), key="fulltext_source")
    meta = next(d.meta for d in docs if d.meta.source == source)
    chunks = engine.document_chunks(source)
    target = _paragraph_number()
    st.button("Về trang hỏi đáp", icon=":material/arrow_back:", on_click=_back_to_chat, key="back_to_chat")
    st.title(escape_markdown(meta.title or source))
    facts = [f for f in (meta.province, year_span(meta.years), meta.doc_type, meta.number) if f]
    st.caption(escape_markdown(" · ".join([*facts, f"tệp {source}", f"{len(chunks)} đoạn"])))
    heading: tuple[str, ...] = ()
    page: int | None = None
    for chunk in chunks:
        if chunk.page and chunk.page != page:
            page = chunk.page
            st.markdown(f"**Trang {page}**")
        if chunk.heading_path != heading:
            # Only the headings that changed, each once, as the document shows them.
            new = [h for i, h in enumerate(chunk.heading_path) if i >= len(heading) or heading[i] != h]
            heading = chunk.heading_path
            for h in new:
                st.markdown(f"**{escape_markdown(h)}**")
        place = passage_place(chunk, len(chunks))
        if target == chunk.seq + 1:
            st.subheader(escape_markdown(f"Đoạn được trích · {place}"), anchor=anchor(chunk), divider="orange")
            with st.container(border=True, key="cited-passage"):
                st.markdown(markdown_block(chunk.text, [(0, len(chunk.text))]))
            common.scroll_to(anchor(chunk))
        else:
            st.markdown(markdown_block(chunk.text))

