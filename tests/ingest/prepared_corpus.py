"""Shared by the ingest tests: the bundled corpus prepared once per test session, and the lossless check."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ingest.models import Chunk
from ingest.pipeline import PreparedDocument, prepare_document
from core.config import Settings

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
SOC_TRANG = "soc-trang-nq-nhiem-vu-2020.txt"
LANG_SON = "lang-son-nq-100-nhiem-vu-2020.txt"
TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
HAU_GIANG = "hau-giang-bao-cao-chinh-tri-2020-2025.txt"
KIEN_GIANG = "kien-giang-nq-27-nhiem-vu-2020.txt"
ALL = (SOC_TRANG, LANG_SON, TRA_VINH, HAU_GIANG, KIEN_GIANG)


@lru_cache(maxsize=None)
def prepared(name: str) -> PreparedDocument:
    """A corpus document through the real pipeline (loaders, repair, metadata, chunking)."""
    return prepare_document(CORPUS / name, Settings())


def norm(text: str) -> str:
    """Whitespace-insensitive comparison key (the only liberty the chunker takes with the text)."""
    return " ".join(text.replace("\t", " ").split())


def assert_lossless(text: str, chunks: list[Chunk] | tuple[Chunk, ...], title: str | None) -> None:
    """Nothing lost, nothing duplicated: see the definition in `ingest.chunking`'s docstring."""
    ordered = sorted(chunks, key=lambda c: c.seq)
    assert [c.seq for c in ordered] == list(range(len(ordered)))
    previous_end = 0
    gaps: list[tuple[int, int, Chunk | None]] = []
    for chunk in ordered:
        assert previous_end <= chunk.start < chunk.end <= len(text), f"span of chunk {chunk.seq} overlaps or is empty"
        gaps.append((previous_end, chunk.start, chunk))
        previous_end = chunk.end
        source = text[chunk.start:chunk.end]
        if chunk.kind == "table_row":
            assert "\n" not in source, f"a table row spans one line: {source!r}"
            position = 0
            for cell in (c.strip() for c in source.split("\t")):
                if cell:
                    found = chunk.text.find(cell, position)
                    assert found >= 0, f"cell {cell!r} missing from {chunk.text!r}"
                    position = found + len(cell)
        else:
            assert norm(chunk.text) == norm(source), f"chunk {chunk.seq} differs from its span"
    gaps.append((previous_end, len(text), None))
    # Column labels of each table (rows under the same headings): a header row is made of them.
    labels: dict[tuple[str, ...], set[str]] = {}
    for chunk in ordered:
        labels.setdefault(chunk.heading_path, set()).update(norm(k) for k, _ in chunk.extra)
    for start, end, following in gaps:
        for line in text[start:end].split("\n"):
            stripped = line.strip()
            if not any(ch.isalnum() for ch in stripped):
                continue  # blank or a separator such as "-----"
            columns = labels.get(following.heading_path, set()) if following else set()
            assert _structural(stripped, following, title, columns), f"text lost before chunk {following and following.seq}: {stripped!r}"


def _structural(line: str, following: Chunk | None, title: str | None, columns: set[str]) -> bool:
    """A line outside every chunk must be the title, a heading above the next chunk, or a table label."""
    key = norm(line.replace("**", " "))  # markdown bold around a heading is markup, not text
    if title and key in norm(title):
        return True
    if following is None:
        return False
    if any(key in norm(h) for h in following.heading_path):
        return True
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    if cells and all(any(norm(c) in label for label in columns) for c in cells):
        return True  # a (repeated) header row: its cells label the next row's values
    return bool(cells) and all(norm(c) in norm(following.context) for c in cells)
