"""Bad questions get a clear Vietnamese message or a refusal — never a crash — and change nothing.

Asked of the bundled corpus, embedded with the real model, through the Engine (as the app does) and
through the command line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from nghiquyet.answer.models import Answer
from nghiquyet.cli import main as cli_main
from nghiquyet.engine import Engine
from core.errors import QuestionError
from nghiquyet.safe_text import answer_markdown
from tests.conftest import EMBED_CACHE
from tests.helpers import ingest_corpus

pytestmark = pytest.mark.slow

TRA_VINH = "tra-vinh-tuyen-truyen-2020-2021.txt"
GRDP_QUESTION = "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"
NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu hiện có"
EMPTY = "Câu hỏi đang để trống."
NO_WORDS = "Câu hỏi không có chữ hay số nào để tìm."


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return ingest_corpus(tmp_path_factory.mktemp("bad-questions-store"))


def index_state(engine: Engine) -> tuple[object, ...]:
    """Everything a question could conceivably change: committed chunks, the manifest, the lexical index."""
    store = engine.store
    return (tuple(c.id for c in store.all_chunks()), store.count(), store.fingerprint(),
            tuple(sorted(d.meta.source for d in store.documents())), store._chunks.count())


@pytest.fixture(scope="module")
def before(engine: Engine) -> tuple[object, ...]:
    return index_state(engine)


@pytest.fixture(autouse=True)
def index_is_unchanged(engine: Engine, before: tuple[object, ...]) -> object:
    yield
    assert index_state(engine) == before


def rendered_tags(answer: Answer) -> set[str]:
    """HTML tags a Markdown renderer makes of the answer as the app shows it."""
    html = MarkdownIt("commonmark").render(answer_markdown(answer.answer))
    return {m.group(1).lower() for m in re.finditer(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


@pytest.mark.parametrize(
    ("question", "message"),
    [("", EMPTY), ("   \n\t  ", EMPTY), ("?!.,;:…—–-()[]{}\"'«»", NO_WORDS), ("🙂 🤔 ❓", NO_WORDS)],
    ids=["empty", "whitespace", "punctuation", "emoji"],
)
def test_question_without_words_is_refused_with_a_message(engine: Engine, question: str, message: str) -> None:
    for verb in (engine.search, engine.ask):
        with pytest.raises(QuestionError) as info:
            verb(question)
        assert info.value.message == message
        assert info.value.hint and "ví dụ" in info.value.hint  # says what a question looks like


def test_ten_thousand_characters(engine: Engine) -> None:
    junk = "x" * 10_000
    with pytest.raises(QuestionError, match=r"Câu hỏi quá dài \(10\.000 ký tự; tối đa 1\.000 ký tự\)"):
        engine.search(junk)
    answer = engine.ask(junk)  # the answer layer cuts it, says so, and finds nothing in it
    assert answer.refused and NOT_FOUND in answer.answer
    assert any("Câu hỏi dài 10.000 ký tự" in note for note in answer.notes)

    pasted = (GRDP_QUESTION + " ") * 200  # a real question pasted many times is still answered
    answer = engine.ask(pasted)
    assert "11%" in answer.answer and {c.passage.chunk.source for c in answer.citations} == {TRA_VINH}
    assert any("chỉ dùng" in note for note in answer.notes)


HOSTILE = {
    "sql": "'; DROP TABLE chunks; --",
    "sql-union": "Trà Vinh' UNION SELECT * FROM embeddings; --",
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)> GRDP Trà Vinh 2021",
    "markdown-image": "![x](http://127.0.0.1:9/?d=secret) GRDP năm 2021",
    "templates": "{{ 7*7 }} ${jndi:ldap://127.0.0.1/x} %s %n {0}",
    "controls-bidi": "\x00\x01 GRDP \u202e Trà Vinh \u200b 2021",
    "chroma-filter": '{"$or": [{"province": {"$ne": ""}}]}',
}


@pytest.mark.parametrize("question", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_fragments_are_just_text(engine: Engine, question: str) -> None:
    result = engine.search(question)
    for passage in result.passages:  # whatever is found is a real passage of the corpus
        assert passage.chunk.source.endswith(".txt") and passage.chunk.text
    answer = engine.ask(question)
    assert answer.answer.strip()
    assert rendered_tags(answer) <= {"p", "br", "code", "strong"}
    assert "<script" not in answer.answer and "onerror" not in answer.answer
    if not answer.refused:
        assert answer.citations  # an answer always comes with its sources


@pytest.mark.parametrize(
    "question",
    ["广西2021年GDP增长目标是多少？", "Какой рост ВВП запланирован на 2021 год?", "Wie hoch ist das BIP-Wachstum?"],
    ids=["chinese", "russian", "german"],
)
def test_question_in_another_language_gets_a_vietnamese_refusal(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.refused and answer.answer.startswith(NOT_FOUND)
    assert not answer.citations


def test_french_question_is_refused_or_answered_from_the_right_document(engine: Engine) -> None:
    answer = engine.ask("Quel est l'objectif de croissance du PIB de Tra Vinh en 2021 ?")
    if answer.refused:
        assert answer.answer.startswith(NOT_FOUND)
    else:
        assert {c.passage.chunk.source for c in answer.citations} == {TRA_VINH}


def test_province_or_year_without_documents_is_said_so(engine: Engine) -> None:
    answer = engine.ask("Tỷ lệ hộ nghèo của Hà Giang năm 2021?")
    assert answer.refused and "Chưa có tài liệu nào về Hà Giang" in answer.answer
    answer = engine.ask("GRDP năm 1990 của Trà Vinh?")
    assert answer.refused and "Chưa có tài liệu nào về năm 1990" in answer.answer


@pytest.mark.parametrize(
    ("args", "exit_code", "expected"),
    [
        (["ask", ""], 1, EMPTY),
        (["search", "?!…"], 1, NO_WORDS),
        (["ask", "x" * 10_000], 0, "Câu hỏi dài 10.000 ký tự"),
        (["search", "x" * 10_000], 1, "Câu hỏi quá dài"),
        (["ask", HOSTILE["script"]], 0, NOT_FOUND),
        (["search", HOSTILE["sql"], "--json"], 0, '"results"'),
        (["ask", "广西2021年GDP增长目标是多少？", "--json"], 0, '"refused": true'),
    ],
    ids=["ask-empty", "search-punctuation", "ask-long", "search-long", "ask-script", "search-sql-json", "ask-chinese"],
)
def test_command_line_answers_bad_questions_without_a_traceback(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, args: list[str], exit_code: int, expected: str
) -> None:
    monkeypatch.setenv("NGHIQUYET_EMBEDDING_CACHE_DIR", str(EMBED_CACHE))
    result = CliRunner().invoke(cli_main, [*args, "--store", str(Path(engine.settings.store_dir))],
                                catch_exceptions=False)
    text = " ".join(result.output.split())
    assert result.exit_code == exit_code, text
    assert expected in text and "Traceback" not in text


def test_store_is_healthy_after_all_of_them(engine: Engine) -> None:
    assert engine.store.health() == []
