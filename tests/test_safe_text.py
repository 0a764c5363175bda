"""Document/LLM text shown through Markdown stays text: no HTML, no image or link, highlights exact.

Rendered with markdown-it-py (CommonMark + GFM tables/strikethrough) to check what a Markdown
renderer makes of our output; the Streamlit-specific constructs (directives, autolinks, images in
labels) are checked in the real browser by tests/app/test_browser.py.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from nghiquyet.safe_text import (
    TAB_SEPARATOR,
    answer_markdown,
    clean_text,
    escape_markdown,
    markdown_block,
    merge_spans,
)

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Code spans are how URL-like words are kept from becoming links (see safe_text._escape).
ALLOWED_TAGS = {"p", "br", "code"}

HOSTILE = [
    "<script>alert('x')</script> tăng 11%",
    "![x](http://127.0.0.1:9/?d=secret) Chỉ tiêu GRDP",
    "[bấm vào đây](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "Xem http://example.com/a_b và www.example.org, email a@b.vn",
    "&lt;script&gt; &#60;b&#62; &amp;",
    "# Tiêu đề giả\n---\n> trích\n1. mục\n- gạch\n* sao\n+ cộng",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "`code` **đậm** _nghiêng_ ~~gạch~~ $x^2$ :red[đỏ] :material/home: \\",
    "    thụt lề bốn dấu cách\n\tcột\tbảng",
    "[ref]: http://evil.example/x\n[ref]",
    "<https://evil.example/auto> <a@b.c>",
]


def rendered_tags(markdown: str) -> set[str]:
    return {m.group(1).lower() for m in re.finditer(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", MD.render(markdown))}


def rendered_text(markdown: str) -> str:
    body = re.sub(r"<[^>]+>", " ", MD.render(markdown))
    return " ".join(html.unescape(body).split())


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_plain_text(text: str) -> None:
    md = markdown_block(text)
    assert rendered_tags(md) <= ALLOWED_TAGS
    expected = " ".join(clean_text(text).split())
    assert rendered_text(md) == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_line_is_literal(text: str) -> None:
    md = escape_markdown(text)
    assert "\n" not in md
    assert rendered_tags(md) <= {"p", "code"}
    assert rendered_text(md) == " ".join(clean_text(text).split())


def test_highlight_marks_exactly_the_span() -> None:
    text = "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."
    start = text.index("11%")
    md = markdown_block(text, [(start, start + 3)], style="plain")
    html_out = MD.render(md)
    assert re.findall(r"<strong>(.*?)</strong>", html_out) == ["11%"]
    assert rendered_text(md) == text


def test_streamlit_highlight_is_a_background_with_the_figure_in_bold() -> None:
    text = "- Thu ngân sách đạt 5.300 tỷ đồng trở lên.\nDòng khác 7%."
    sentence = (2, text.index("\n"))
    figure = (text.index("5.300"), text.index("5.300") + len("5.300 tỷ đồng"))
    md = markdown_block(text, [sentence], strong=[figure, (text.index("7%"), text.index("7%") + 2)])
    assert md.startswith("\\- :orange-background[Thu ngân sách đạt **5\\.300 tỷ đồng** trở lên\\.]  \n")
    assert md.endswith("Dòng khác **7\\%**\\.")


def test_plain_style_bolds_the_whole_highlight_once() -> None:
    text = "đạt 5.300 tỷ đồng"
    md = markdown_block(text, [(0, len(text))], strong=[(4, 9)], style="plain")
    assert md == "**đạt 5\\.300 tỷ đồng**"


def test_hostile_text_inside_a_highlight_stays_text() -> None:
    text = "trước ![x](http://h/?d=1) sau"
    md = markdown_block(text, [(0, len(text))], style="plain")
    assert rendered_tags(md) <= {"p", "strong", "code"}
    assert rendered_text(md) == text


def test_highlight_across_lines_is_split_per_line() -> None:
    text = "dòng một 11%\ndòng hai 12%"
    md = markdown_block(text, [(text.index("11%"), text.index("12%") + 3)], style="plain")
    assert re.findall(r"<strong>(.*?)</strong>", MD.render(md)) == ["11%", "dòng hai 12%"]


def test_line_breaks_and_paragraphs_are_kept() -> None:
    md = markdown_block("một\nhai\n\n\nba")
    assert md == "một  \nhai\n\nba"
    assert MD.render(md).count("<p>") == 2


def test_indentation_does_not_make_a_code_block() -> None:
    assert "<pre>" not in MD.render(markdown_block("        Bảng 1\n\t\t2020\t2021"))


def test_tabs_become_visible_column_separators() -> None:
    assert clean_text("Chỉ tiêu\t2020\t2021") == f"Chỉ tiêu{TAB_SEPARATOR}2020{TAB_SEPARATOR}2021"


def test_invisible_and_bidi_characters_are_removed() -> None:
    assert clean_text("a\u202eb\u200bc\x00d\ufeff") == "abcd"


def test_nfd_input_is_shown_nfc() -> None:
    import unicodedata

    assert escape_markdown(unicodedata.normalize("NFD", "Trà Vinh")) == "Trà Vinh"


def test_answer_markers_stand_out_and_llm_markdown_is_inert() -> None:
    answer = "Chỉ tiêu là 11% [1]. ![a](http://x/y) [link](http://x) [S2]"
    md = answer_markdown(answer, style="plain")
    out = MD.render(md)
    assert re.findall(r"<strong>(.*?)</strong>", out) == ["[1]", "[S2]"]
    assert "<img" not in out and "<a " not in out
    assert ":blue-background[**\\[1\\]**]" in answer_markdown(answer)


@pytest.mark.parametrize(
    "word",
    ["http://example.com/a_b", "HTTPS://X.VN", "www.example.org,", "a@b.vn", "mailto:x", "javascript:alert(1)",
     "(xem:http://a.b/`c`)"],
)
def test_url_like_words_become_code_spans(word: str) -> None:
    md = escape_markdown(f"trước {word} sau")
    out = MD.render(md)
    assert re.findall(r"<code>(.*?)</code>", out) == [html.escape(word, quote=False)]


def test_merge_spans_clips_sorts_and_merges() -> None:
    assert merge_spans([(5, 8), (0, 2), (1, 3), (7, 20), (4, 4), (-3, 1)], 10) == [(0, 3), (5, 10)]


def test_answer_figures_can_be_bold_and_markers_stay_markers() -> None:
    text = "Chỉ tiêu tăng 11% [1]."
    start = text.index("11%")
    assert answer_markdown(text, strong=[(start, start + 3)], style="plain") == "Chỉ tiêu tăng **11\\%** **\\[1\\]**\\."
