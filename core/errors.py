"""Errors the user can act on. Each carries a Vietnamese message and, where there is one, a fix."""

from __future__ import annotations


class NghiquyetError(Exception):
    """Base class: `message` says what happened, `hint` what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class IngestError(NghiquyetError):
    """A file could not be ingested; the rest of the batch goes on."""


class UnsupportedFileType(IngestError):
    pass


class EmptyDocument(IngestError):
    pass


class EncodingProblem(IngestError):
    pass


class PdfProblem(IngestError):
    pass


class FileTooLarge(IngestError):
    pass


class StoreError(NghiquyetError):
    """The vector store cannot be used."""


class StoreUnavailable(StoreError):
    """The Chroma server cannot be reached."""


class StoreDamaged(StoreError):
    """The local index directory cannot be opened."""


class IngestLocked(StoreError):
    """Another process is ingesting into the same embedded store."""


class EmbedderUnavailable(NghiquyetError):
    """The configured embedding model cannot be loaded (missing offline, unsupported CPU, ...)."""


class QuestionError(NghiquyetError):
    """The question cannot be processed (empty, too long, ...)."""


class LlmError(NghiquyetError):
    """The configured LLM backend failed; the extractive answer is used instead."""


class EvaluationError(NghiquyetError):
    """The regression evaluation cannot run (empty index, unusable question file, ...)."""


class QuestionFileError(EvaluationError):
    """The regression question file is missing, not valid YAML, or has a malformed entry."""


class FeedbackError(NghiquyetError):
    """Readers' feedback cannot be saved or read (the feedback file is not writable, ...)."""


class AppNotFound(NghiquyetError):
    """The Streamlit app (module `app` and its `pages/`) is not installed beside the package."""
