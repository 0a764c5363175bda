"""Hand-made passages and answers for the evaluation tests (no models, no store)."""

from __future__ import annotations

from pathlib import Path

from ingest.models import Chunk, DocumentMeta
from nghiquyet.answer.models import Answer, Citation
from retrieval.models import Passage

REPO = Path(__file__).resolve().parents[2]
QUESTIONS_FILE = REPO / "regression" / "questions.yaml"

TV = "tra-vinh-tuyen-truyen-2020-2021.txt"
ST = "soc-trang-nq-nhiem-vu-2020.txt"
LS = "lang-son-nq-100-nhiem-vu-2020.txt"

_PROVINCES = {TV: "Trà Vinh", ST: "Sóc Trăng", LS: "Lạng Sơn"}


def make_passage(text: str, source: str = TV, *, heading: tuple[str, ...] = (), seq: int = 0, score: float = 1.0) -> Passage:
    doc = DocumentMeta(source=source, title=source.removesuffix(".txt"), province=_PROVINCES.get(source))
    chunk = Chunk(text=text, source=source, heading_path=heading, page=None, kind="paragraph", seq=seq, doc=doc)
    return Passage(chunk=chunk, score=score)


def make_answer(
    question: str,
    answer: str,
    passages: list[Passage],
    *,
    cited: tuple[int, ...] = (0,),
    refused: bool = False,
    latency_ms: float = 10.0,
) -> Answer:
    citations = () if refused else tuple(Citation(n=i + 1, passage=passages[j]) for i, j in enumerate(cited))
    return Answer(
        question=question,
        answer=answer,
        refused=refused,
        citations=citations,
        passages=tuple(passages),
        latency_ms=latency_ms,
    )

