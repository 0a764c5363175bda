"""What both pages of the app share: settings, the one engine per process, errors, look and feel.

Streamlit-only glue; the product's logic lives in `nghiquyet.*` behind `Engine`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import streamlit as st

from core.config import ConfigError, Settings, load_settings
from nghiquyet.engine import Engine
from core.errors import NghiquyetError
from nghiquyet.safe_text import escape_markdown

if TYPE_CHECKING:
    from vectorstore.store import StoredDocument

log = logging.getLogger("nghiquyet.app")

APP_TITLE = "Hỏi đáp nghị quyết"
DOCUMENTS_TTL_S = 15.0  # other processes may ingest (server mode): the list refreshes on its own

# Our own static CSS — the only HTML the app ever lets through. Larger type for meeting rooms,
# chips that wrap on a tablet, the content column kept readable on a wide laptop screen.
_CSS = """
<style>
.block-container { max-width: 64rem; padding-top: 2.2rem; padding-bottom: 7rem; }
[data-testid="stChatMessage"] [data-testid="stMarkdownContainer"] p { font-size: 1.14rem; line-height: 1.7; }
[data-testid="stChatMessage"] { padding: 0.9rem 1rem; }
[data-testid="stCaptionContainer"] p { font-size: 0.98rem; }
[data-testid="stPopoverBody"] { max-width: min(46rem, 92vw); }
[data-testid="stPopoverBody"] [data-testid="stMarkdownContainer"] p { font-size: 1.05rem; line-height: 1.65; }
[data-testid="stChatInput"] textarea { font-size: 1.12rem; }
@media (max-width: 820px) {
  .block-container { padding-left: 0.8rem; padding-right: 0.8rem; padding-top: 1rem; }
}
</style>
"""


def apply_style() -> None:
    st.markdown(_CSS, unsafe_allow_html=True)


def current_settings() -> Settings:
    """Settings from the environment (NGHIQUYET_*), read on every run: cheap, and a bad one is shown."""
    try:
        return load_settings()
    except ConfigError as exc:
        st.error(escape_markdown(f"Lỗi cấu hình: {exc}"), icon=":material/error:")
        st.stop()
        raise  # unreachable: st.stop() ends the run


@st.cache_resource(show_spinner=False, max_entries=4)
def _engine_for(key: str, _settings: Settings) -> Engine:
    # Building an Engine is cheap and never touches the store: its parts are created on first use
    # and a part that fails (store unreachable) is not kept, so the next request tries again.
    return Engine(_settings)


def engine_for(settings: Settings) -> Engine:
    """The process-wide engine for these settings, shared by every session."""
    return _engine_for(settings.model_dump_json(), settings)


def show_error(exc: BaseException) -> None:
    """A Vietnamese message, never a traceback."""
    if isinstance(exc, NghiquyetError):
        st.error(escape_markdown(exc.user_message()), icon=":material/error:")
    elif isinstance(exc, ConfigError):
        st.error(escape_markdown(f"Lỗi cấu hình: {exc}"), icon=":material/error:")
    else:
        log.exception("Unexpected error in the app", exc_info=exc)
        st.error(
            "Đã xảy ra lỗi ngoài dự kiến. Chi tiết đã được ghi vào nhật ký máy chủ; hãy thử lại.",
            icon=":material/error:",
        )


def error_message(exc: BaseException) -> str:
    """The same message as plain text, for keeping in the conversation history."""
    if isinstance(exc, NghiquyetError):
        return exc.user_message()
    if isinstance(exc, ConfigError):
        return f"Lỗi cấu hình: {exc}"
    log.exception("Unexpected error in the app", exc_info=exc)
    return "Đã xảy ra lỗi ngoài dự kiến. Chi tiết đã được ghi vào nhật ký máy chủ; hãy thử lại."


@contextmanager
def reported_errors() -> Iterator[None]:
    """Run a block; any error becomes an `st.error` and the page goes on."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the app must keep running whatever a request does
        show_error(exc)


def documents(engine: Engine, *, refresh: bool = False) -> list["StoredDocument"]:
    """The indexed documents, re-read at most every few seconds per session (raises store errors)."""
    cached = st.session_state.get("_documents")
    now = time.monotonic()
    if refresh or cached is None or now - cached[0] > DOCUMENTS_TTL_S or cached[2] != id(engine):
        st.session_state["_documents"] = (now, engine.documents(), id(engine))
    return st.session_state["_documents"][1]


def forget_documents() -> None:
    """After an ingest or a delete: the next read goes to the store."""
    st.session_state.pop("_documents", None)
