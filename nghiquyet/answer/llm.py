"""Optional LLM answers through LangChain chat models, accepted only when fully grounded.

The model sees the top passages under opaque ids ([S1], [S2] …), is told to answer only from them and
to treat their text as data. Its reply is parsed: the ids become the answer's [n] markers, an id that
names no passage or a figure that no cited passage contains rejects the reply, and the caller falls
back to the extractive answer, recording why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import prompts
from core.config import Settings
from core.errors import LlmError
from core.vietnamese import fold_diacritics
from nghiquyet.answer.grounding import check_grounding, evidence_text
from nghiquyet.answer.models import Citation
from nghiquyet.answer.numbers import find_figures, number_tokens
from retrieval.models import Passage

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu hiện có."
_SOURCE_ID = re.compile(r"\[\s*(S\d+(?:\s*[,;]\s*S\d+)*)\s*\]", re.IGNORECASE)
_BARE_MARKER = re.compile(r"\[\s*\d+\s*\]")
_TAG = re.compile(r"<\s*/?\s*(?:passage|doan|đoạn)", re.IGNORECASE)


class ChatBackend(Protocol):
    """Anything that turns a system and a user message into a reply."""

    name: str

    def complete(self, system: str, user: str) -> str: ...


class LangChainBackend:
    """A LangChain chat model (OpenAI-compatible endpoint or Ollama) as a `ChatBackend`."""

    def __init__(self, model: "BaseChatModel", name: str) -> None:
        self.model = model
        self.name = name

    def complete(self, system: str, user: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            reply = self.model.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        except Exception as exc:  # network, timeout, HTTP and client errors all mean "no LLM answer"
            raise LlmError(f"Không gọi được mô hình ngôn ngữ {self.name}: {_describe(exc)}") from exc
        content: Any = reply.content
        if isinstance(content, list):  # some providers return content parts
            content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
        return str(content)


def _describe(exc: BaseException) -> str:
    kind = type(exc).__name__
    if "timeout" in kind.lower():
        return "hết thời gian chờ"
    if "connect" in kind.lower():
        return "không kết nối được"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{kind}: {text[:200]}" if text else kind


def build_backend(settings: Settings) -> ChatBackend:
    """The chat model the settings describe (imported lazily: LangChain is slow to import)."""
    if settings.llm_backend == "openai":
        from langchain_openai import ChatOpenAI

        model: BaseChatModel = ChatOpenAI(
            model=settings.llm_model or "",
            base_url=settings.llm_base_url,
            # Local OpenAI-compatible servers ignore the key, but the client insists on one.
            api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s,
            temperature=settings.llm_temperature,
            max_retries=0,
        )
        return LangChainBackend(model, f"{settings.llm_model} @ {settings.llm_base_url}")
    if settings.llm_backend == "ollama":
        from langchain_ollama import ChatOllama

        kwargs: dict[str, Any] = {
            "model": settings.llm_model or "",
            "temperature": settings.llm_temperature,
            "client_kwargs": {"timeout": settings.llm_timeout_s},
        }
        if settings.llm_base_url:
            kwargs["base_url"] = settings.llm_base_url
        return LangChainBackend(ChatOllama(**kwargs), f"ollama:{settings.llm_model}")
    raise LlmError("Chưa cấu hình mô hình ngôn ngữ (NGHIQUYET_LLM_BACKEND=none).")


def source_id(index: int) -> str:
    return f"S{index + 1}"


def _neutral(text: str) -> str:
    # A document cannot close its own passage tag and smuggle text outside it.
    return _TAG.sub(lambda m: m.group(0).replace("<", "‹"), text)


def render_passages(passages: Sequence[Passage]) -> str:
    blocks = []
    for i, passage in enumerate(passages):
        blocks.append(f'<passage id="{source_id(i)}">\n{_neutral(evidence_text(passage))}\n</passage>')
    return "\n\n".join(blocks)


def build_messages(question: str, passages: Sequence[Passage]) -> tuple[str, str]:
    """(system, user) messages for `question` over `passages`."""
    system = prompts.render("answer_system", not_found=NOT_FOUND)
    user = prompts.render(
        "answer_user",
        passages=render_passages(passages),
        question=_neutral(question),
        not_found=NOT_FOUND,
    )
    return system, user


@dataclass(frozen=True)
class LlmReply:
    """A parsed model reply: accepted (text with [n], citations) or rejected with a reason."""

    text: str
    citations: tuple[Citation, ...]
    refused: bool
    rejection: str | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


def _highlights(passage: Passage, answer: str) -> tuple[tuple[int, int], ...]:
    """Spans of the figures the answer quotes from this passage (or nothing to mark)."""
    wanted = number_tokens(answer)
    text = passage.chunk.text
    spans = [
        fig.span_with_unit
        for fig in find_figures(text)
        if fig.text in wanted and not fig.is_year
    ]
    return tuple(sorted(spans))


def parse_reply(reply: str, passages: Sequence[Passage]) -> LlmReply:
    """Map [S#] ids to [n] markers in order of first use and check the reply's grounding."""
    text = reply.strip()
    if not text:
        return LlmReply("", (), False, "Mô hình trả về câu trả lời rỗng.")
    if _BARE_MARKER.search(text):
        return LlmReply(text, (), False, "Câu trả lời của mô hình dùng mã trích dẫn không hợp lệ.")
    order: list[int] = []
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        markers = []
        for raw in re.split(r"\s*[,;]\s*", match.group(1)):
            index = int(raw.strip()[1:]) - 1
            if not 0 <= index < len(passages):
                unknown.append(f"[{raw.strip().upper()}]")
                continue
            if index not in order:
                order.append(index)
            markers.append(f"[{order.index(index) + 1}]")
        return "".join(markers)

    mapped = _SOURCE_ID.sub(replace, text)
    if unknown:
        return LlmReply(text, (), False, "Câu trả lời của mô hình trích dẫn nguồn không tồn tại: " + ", ".join(unknown))
    refused = not order and "khong tim thay" in fold_diacritics(text.lower())
    if refused:
        return LlmReply(NOT_FOUND, (), True)
    if not order:
        return LlmReply(text, (), False, "Câu trả lời của mô hình không trích dẫn nguồn nào.")
    sources = {n + 1: passages[i] for n, i in enumerate(order)}
    report = check_grounding(mapped, sources)
    if report.ungrounded:
        return LlmReply(
            mapped, (), False, "Câu trả lời của mô hình có số liệu không có trong nguồn: " + ", ".join(report.ungrounded)
        )
    if not report.ok:
        return LlmReply(mapped, (), False, report.reason())
    citations = tuple(
        Citation(n=n, passage=passage, highlights=_highlights(passage, mapped)) for n, passage in sources.items()
    )
    return LlmReply(mapped, citations, False)


class LlmAnswerer:
    """Asks the configured chat model and returns its reply only when it passes every check."""

    def __init__(self, backend: ChatBackend, *, max_passages: int = 6) -> None:
        self.backend = backend
        self.max_passages = max_passages

    def answer(self, question: str, passages: Sequence[Passage]) -> LlmReply:
        shown = list(passages[: self.max_passages])
        system, user = build_messages(question, shown)
        try:
            reply = self.backend.complete(system, user)
        except LlmError as exc:
            return LlmReply("", (), False, exc.message)
        return parse_reply(reply, shown)
