"""Document library page: what is indexed, upload and ingest new documents, delete, re-index.

Ingestion goes through `nghiquyet.library` → `Engine.ingest`, the same path as `nghiquyet ingest`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import streamlit as st

from nghiquyet import library
from nghiquyet.export import year_span
from nghiquyet.indexing import FileResult, IngestProgress, IngestReport
from nghiquyet.safe_text import escape_markdown
from pages import common

if TYPE_CHECKING:
    from nghiquyet.engine import Engine
    from vectorstore.store import StoredDocument

_STAGES = {
    "prepare": "đọc và tách đoạn", "ocr": "nhận dạng chữ từ ảnh", "embed": "tính vector", "write": "ghi vào kho",
    "done": "xong",
}


def _progress_reporter(bar: "st.delta_generator.DeltaGenerator") -> Callable[[IngestProgress], None]:
    """Turns the engine's progress events into one bar: files, and passages within a file."""

    def report(event: IngestProgress) -> None:
        within = event.passages_done / event.passages_total if event.passages_total else 0.0
        if event.stage == "done":
            within = 1.0
        fraction = ((event.index - 1) + within) / max(event.total, 1)
        name = event.path.rsplit("/", 1)[-1]
        text = f"Tệp {event.index}/{event.total}: {name} — {_STAGES.get(event.stage, event.stage)}"
        if event.stage == "embed" and event.passages_total:
            text += f" ({event.passages_done}/{event.passages_total} đoạn)"
        elif event.stage == "ocr" and event.passages_total:
            text += f" (trang {event.passages_done}/{event.passages_total})"
        bar.progress(min(max(fraction, 0.0), 1.0), text=escape_markdown(text))

    return report


def _document_rows(docs: Sequence["StoredDocument"]) -> list[dict[str, object]]:
    rows = []
    for d in docs:
        m = d.meta
        # Short facts first, the long title last: on a laptop the table shows what matters unscrolled.
        rows.append({
            "Tệp": m.source,
            "Tỉnh": m.province or "",
            "Năm": year_span(m.years).removeprefix("năm ") if m.years else "",
            "Loại văn bản": m.doc_type or "",
            "Số hiệu": m.number or "",
            "Ngày ban hành": m.issue_date or "",
            "Người ký": m.signer or "",
            "Số đoạn": d.chunk_count,
            "Tiêu đề": m.title or "",
        })
    return rows


def _describe(result: FileResult) -> str:
    status = {
        "added": "đã nạp", "updated": "đã cập nhật", "unchanged": "không đổi (đã có trong kho)",
        "skipped": "bỏ qua", "failed": "lỗi",
    }[result.status]
    facts = []
    if result.province:
        facts.append(f"tỉnh {result.province}")
    if result.years:
        facts.append(year_span(result.years))
    if result.doc_type:
        facts.append(result.doc_type)
    if result.chunks:
        facts.append(f"{result.chunks} đoạn")
    line = f"{result.source}: {status}"
    if facts:
        line += " — " + ", ".join(facts)
    if result.reason:
        line += f" — {result.reason}"
    return line


def _show_report(report: IngestReport | None, refused: Sequence[tuple[str, str]] = ()) -> None:
    """What was ingested and detected (province, years, type, chunks), and what was not, with why."""
    results = report.results if report is not None else ()
    ok = [r for r in results if r.indexed]
    problems = [r for r in results if not r.indexed]
    if ok and report is not None:
        st.success(escape_markdown(report.summary()), icon=":material/check_circle:")
    for result in ok:
        st.markdown("- " + escape_markdown(_describe(result)))
        for warning in result.warnings:
            st.caption(escape_markdown(f"   Lưu ý: {warning}"))
    for result in problems:
        st.error(escape_markdown(_describe(result)), icon=":material/error:")
    for name, message in refused:
        st.error(escape_markdown(f"{name}: {message}"), icon=":material/error:")


def _upload_section(engine: "Engine") -> None:
    settings = engine.settings
    st.subheader("Nạp tài liệu mới")
    limit = library.upload_limit_text(settings)
    files = st.file_uploader(
        f"Chọn tệp .pdf, .txt, .docx, .doc, .odt, .rtf hoặc .html ({limit})",
        type=[s.lstrip(".") for s in library.UPLOAD_SUFFIXES],
        accept_multiple_files=True,
        max_upload_size=max(1, math.ceil(settings.upload_max_mb)),
        key=f"uploads-{st.session_state.get('upload_round', 0)}",
    )
    taken = library.existing_uploads(settings, [f.name for f in files or []])
    replace = bool(taken) and st.checkbox(
        f"{library.REPLACE_QUESTION} ({', '.join(taken)})", value=False, key="replace_existing"
    )
    if st.button(
        "Nạp vào thư viện", icon=":material/upload_file:", type="primary", disabled=not files, key="ingest_uploads"
    ):
        bar = st.progress(0.0, text="Đang chuẩn bị…")
        with common.reported_errors():
            outcome = library.ingest_uploads(
                engine, [(f.name, f.getvalue()) for f in files], replace=replace, progress=_progress_reporter(bar)
            )
            bar.empty()
            common.forget_documents()
            # A fresh uploader for the next batch (the files are in the library now).
            st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
            st.session_state["last_report"] = (outcome.report, outcome.refused)
            st.rerun()
    last = st.session_state.pop("last_report", None)
    if last is not None:
        _show_report(*last)


def _delete_section(engine: "Engine", docs: Sequence["StoredDocument"]) -> None:
    st.subheader("Xoá tài liệu")
    if not docs:
        st.caption("Chưa có tài liệu nào.")
        return
    titles = {d.meta.source: f"{d.meta.source} — {d.meta.title}" if d.meta.title else d.meta.source for d in docs}
    source = st.selectbox("Tài liệu cần xoá", list(titles), format_func=lambda s: titles.get(s, s), key="delete_source")
    confirm = st.checkbox("Tôi chắc chắn muốn xoá tài liệu này khỏi chỉ mục", key="delete_confirm")
    if st.button("Xoá tài liệu", icon=":material/delete:", disabled=not confirm, key="delete"):
        with common.reported_errors():
            removed = library.delete_document(engine, source)
            common.forget_documents()
            st.session_state.pop("delete_confirm", None)
            st.session_state["flash_library"] = f"Đã xoá {source} ({removed} đoạn) khỏi thư viện."
            st.rerun()


def _reindex_section(engine: "Engine") -> None:
    st.subheader("Lập chỉ mục lại")
    st.caption(
        "Nạp lại mọi tài liệu từ tệp gốc (thư mục tải lên và bộ tài liệu mẫu), "
        "ví dụ sau khi đổi mô hình hoặc cách tách đoạn."
    )
    if st.button("Lập chỉ mục lại toàn bộ", icon=":material/refresh:", key="reindex"):
        bar = st.progress(0.0, text="Đang chuẩn bị…")
        with common.reported_errors():
            report, missing = library.reindex_all(engine, progress=_progress_reporter(bar))
            bar.empty()
            common.forget_documents()
            _show_report(report)
            if missing:
                st.warning(
                    escape_markdown(
                        "Không tìm thấy tệp gốc của: " + ", ".join(missing)
                        + ". Các tài liệu này được giữ nguyên trong chỉ mục."
                    ),
                    icon=":material/warning:",
                )


def library_page() -> None:
    settings = common.current_settings()
    engine = common.engine_for(settings)
    st.title("Thư viện tài liệu")
    flash = st.session_state.pop("flash_library", None)
    if flash:
        st.success(escape_markdown(flash), icon=":material/check_circle:")
    docs: list[StoredDocument] = []
    try:
        docs = common.documents(engine, refresh=True)
    except Exception as exc:  # noqa: BLE001 - the page still shows; the store error says what to do
        common.show_error(exc)
    total_chunks = sum(d.chunk_count for d in docs)
    col1, col2, col3 = st.columns(3)
    col1.metric("Tài liệu", len(docs))
    col2.metric("Đoạn văn đã lập chỉ mục", f"{total_chunks:,}".replace(",", "."))
    col3.metric("Tỉnh", len({d.meta.province for d in docs if d.meta.province}))
    if docs:
        st.dataframe(_document_rows(docs), hide_index=True, width="stretch")
    st.caption(f"Kho chỉ mục: {escape_markdown(settings.describe_store())}")
    _upload_section(engine)
    _delete_section(engine, docs)
    _reindex_section(engine)


library_page()
