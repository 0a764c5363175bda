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
.st-key-nq-language, .st-key-nq-scroll { position: absolute; width: 0; height: 0; overflow: hidden; }
[class*="st-key-passage-"] { max-height: 55vh; overflow-y: auto; }
.st-key-context_chip { margin-top: -0.4rem; }
.st-key-context_chip [data-testid="stBaseButton-tertiary"] { border: 1px solid #C9C2B4; border-radius: 1rem; padding: 0 0.7rem; }
@media (max-width: 820px) {
  .block-container { padding-left: 0.8rem; padding-right: 0.8rem; padding-top: 1rem; }
}
</style>
"""


def apply_style() -> None:
    st.markdown(_CSS, unsafe_allow_html=True)


# Streamlit writes `<html lang="en">` and English labels of its own (skip link, multiselect, upload,
# sidebar buttons) with no setting to change them. This script, our own and static, runs in the
# page once: it sets lang="vi", puts the Vietnamese words over those labels as they appear, and
# collapses the sidebar the first time the app opens on a screen narrower than 1000 px (a tablet
# held upright), where it would cover 40 % of the answer. What it cannot reach is listed in README.
UI_WORDS = {
    "Skip to main content": "Chuyển đến nội dung chính",
    "Select all": "Chọn tất cả",
    "Clear all": "Xoá tất cả",
    "Clear": "Xoá",
    "No results": "Không có kết quả",
    "Copy to clipboard": "Sao chép",
    "Copied": "Đã sao chép",
    "Main menu": "Trình đơn",
    "Send message": "Gửi câu hỏi",
    "Collapse sidebar": "Thu gọn thanh bên",
    "Expand sidebar": "Mở thanh bên",
    "Stop": "Dừng",
    "Running...": "Đang chạy…",
    "Upload": "Tải lên",
    "Browse files": "Chọn tệp",
    "Drag and drop files here": "Kéo thả tệp vào đây",
    "Drag and drop file here": "Kéo thả tệp vào đây",
    "Close": "Đóng",
    "Remove": "Bỏ",
    "Delete": "Xoá",
    "Fullscreen": "Toàn màn hình",
    "Close fullscreen": "Thoát toàn màn hình",
    "Download as CSV": "Tải về CSV",
    "Search": "Tìm",
    "Made with Streamlit": "Dựng bằng Streamlit",
    "Sidebar": "Thanh bên",
    "App pages": "Các trang",
    "Open": "Mở",
    "Link to heading": "Liên kết tới mục này",
    "st.iframe": "Thiết lập ngôn ngữ giao diện",
    "Rerun": "Chạy lại",
    "Settings": "Cài đặt",
    "Print": "In trang",
    "About": "Giới thiệu",
    "Clear cache": "Xoá bộ nhớ đệm",
    "Record a screencast": "Quay màn hình",
    "Show options": "Tuỳ chọn",
    "Expand": "Mở rộng",
    "Collapse": "Thu gọn",
    "Thumbs up": "Hài lòng",
    "Thumbs down": "Không hài lòng",
    "Chat message from user": "Câu hỏi",
    "Chat message from assistant": "Câu trả lời",
    "Feedback rating": "Đánh giá câu trả lời",
}
# Runs in the app's page (not in the iframe that delivers it: an iframe is redrawn with the page and
# its listeners would die with it), once per page load.
_PAGE_JS = r"""
(function () {
  const doc = document;
  const words = %(words)s;
  const attrs = ["aria-label", "title", "placeholder"];
  function translate(root) {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const text = node.nodeValue.trim();
      if (text && Object.prototype.hasOwnProperty.call(words, text)) {
        node.nodeValue = node.nodeValue.replace(text, words[text]);
      }
    }
    root.querySelectorAll("[aria-label],[title],[placeholder]").forEach(function (el) {
      attrs.forEach(function (a) {
        const v = el.getAttribute(a);
        if (!v) return;
        if (Object.prototype.hasOwnProperty.call(words, v.trim())) el.setAttribute(a, words[v.trim()]);
        // A label Streamlit copies from our escaped Markdown ("\[1\] Trà Vinh") is read as written.
        else if (/\\[!-\/:-@[-`{-~]/.test(v)) el.setAttribute(a, v.replace(/\\([!-\/:-@[-`{-~])/g, "$1"));
        else if (/^[a-z_]+ icon$/.test(v)) el.setAttribute(a, "biểu tượng");
      });
    });
  }
  function collapseOnNarrowScreens() {
    if (window.innerWidth >= 1000 || sessionStorage.getItem("nq-sidebar-auto")) return;
    const sidebar = doc.querySelector('[data-testid="stSidebar"]');
    const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (!sidebar || !button) return;
    if (sidebar.getAttribute("data-collapsed") === "false") button.click();
    // Once: a reader who opens it again on a tablet keeps it open.
    sessionStorage.setItem("nq-sidebar-auto", "1");
  }
  function update() {
    if (doc.documentElement.lang !== "vi") doc.documentElement.lang = "vi";
    translate(doc.body);
    collapseOnNarrowScreens();
  }
  let pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  }).observe(doc.body, {childList: true, subtree: true, characterData: true});
  window.addEventListener("resize", collapseOnNarrowScreens);
  update();
})();
"""
_LANGUAGE_JS = """
<script>
(function () {
  const top = window.parent;
  top.document.documentElement.lang = "vi";
  if (top.__nqLanguage) return;
  top.__nqLanguage = true;
  const script = top.document.createElement("script");
  script.textContent = %(code)s;
  top.document.head.appendChild(script);
})();
</script>
"""


def apply_language() -> None:
    """lang="vi", Vietnamese over Streamlit's own English labels, sidebar folded on narrow screens."""
    import json

    with st.container(key="nq-language"):
        code = _PAGE_JS % {"words": json.dumps(UI_WORDS, ensure_ascii=False)}
        st.iframe(_LANGUAGE_JS % {"code": json.dumps(code)}, height=1)


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


_SCROLL_JS = """
<script>
(function () {
  const doc = window.parent.document;
  let tries = 0;
  const timer = setInterval(function () {
    const target = doc.getElementById(%(anchor)s);
    if (target || ++tries > 100) {
      clearInterval(timer);
      if (target) target.scrollIntoView({block: "start"});
    }
  }, 100);
})();
</script>
"""


def scroll_to(anchor: str) -> None:
    """Bring the heading with this anchor into view once the page is drawn.

    Streamlit scrolls to a heading named by the URL's #fragment, but its page routing drops the
    fragment of a URL with a query string before the heading exists; so the page asks for it.
    """
    import json

    with st.container(key="nq-scroll"):
        st.iframe(_SCROLL_JS % {"anchor": json.dumps(anchor)}, height=1)
