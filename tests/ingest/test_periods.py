"""Each passage's period, read as a person reads it: its own opening, else what came before in its section."""

from __future__ import annotations

from collections.abc import Sequence

from ingest.models import Chunk, ChunkKind, DocumentMeta
from ingest.periods import assign_periods


def document(
    texts: Sequence[str],
    *,
    headings: Sequence[tuple[str, ...]] | None = None,
    kinds: Sequence[ChunkKind] | None = None,
    issue_date: str | None = None,
) -> list[Chunk]:
    doc = DocumentMeta(source="thanh-hoa-tin.txt", province="Thanh Hóa", issue_date=issue_date)
    return [
        Chunk(
            text=text,
            source=doc.source,
            heading_path=headings[i] if headings else (),
            page=None,
            kind=kinds[i] if kinds else "paragraph",
            seq=i,
            doc=doc,
        )
        for i, text in enumerate(texts)
    ]


def periods(chunks: Sequence[Chunk]) -> list[tuple[str, tuple[int, ...], int]]:
    return [(c.period, c.period_years, c.period_seq) for c in assign_periods(chunks)]


def test_a_paragraph_without_a_year_takes_the_one_its_predecessor_opened_with() -> None:
    chunks = document(
        [
            "Năm 2020, vượt lên nhiều khó khăn, kinh tế của tỉnh tiếp tục tăng trưởng khá.",
            "Nổi bật là, tốc độ tăng trưởng kinh tế ước đạt 6,08%, đứng thứ 2 khu vực.",
            "Trong 6 tháng đầu năm 2021, thu ngân sách đạt 15.000 tỷ đồng.",
            "Xuất khẩu tăng 12%.",
        ]
    )
    assert periods(chunks) == [
        ("Năm 2020", (2020,), 0),
        ("Năm 2020", (2020,), 0),  # period_seq: the paragraph whose words say it, for the citation
        ("6 tháng đầu năm 2021", (2021,), 2),
        ("6 tháng đầu năm 2021", (2021,), 2),
    ]


def test_the_text_and_everything_else_of_a_chunk_stay_as_they_were() -> None:
    chunks = document(["Năm 2020, tăng trưởng đạt 6%.", "Thu ngân sách đạt 12.000 tỷ đồng."])
    out = assign_periods(chunks)
    assert [c.text for c in out] == [c.text for c in chunks]
    assert [c.id for c in out] == [c.id for c in chunks]  # the id does not depend on the period


def test_a_section_starts_from_its_heading_not_from_the_previous_section() -> None:
    a = ("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020",)
    b = ("B. CÁC CHỈ TIÊU, NHIỆM VỤ NĂM 2021", "1. Chỉ tiêu kinh tế")
    chunks = document(
        [
            "Thu ngân sách đạt 12.000 tỷ đồng.",
            "Năm 2019, thu ngân sách đạt 10.500 tỷ đồng.",
            "Thu ngân sách đạt 14.000 tỷ đồng.",
        ],
        headings=[a, a, b],
    )
    assert periods(chunks) == [
        ("NĂM 2020", (2020,), -1),  # -1: the heading says it
        ("Năm 2019", (2019,), 1),
        ("NĂM 2021", (2021,), -1),
    ]


def test_a_section_whose_heading_names_no_period_has_none() -> None:
    chunks = document(
        ["Năm 2020, tăng trưởng đạt 6%.", "Tăng trưởng 7%."], headings=[("I. KẾT QUẢ ĐẠT ĐƯỢC",), ("II. NHIỆM VỤ",)]
    )
    out = assign_periods(chunks)
    assert (out[1].period, out[1].period_years, out[1].period_seq) == ("", (), -1)


def test_the_deepest_heading_with_a_period_wins_and_a_target_year_is_no_period() -> None:
    heading = ("Các chỉ tiêu chủ yếu nhiệm kỳ 2020 - 2025", "Tầm nhìn đến năm 2030")
    (chunk,) = assign_periods(document(["Tốc độ tăng trưởng bình quân 7%/năm."], headings=[heading]))
    assert (chunk.period, chunk.period_years) == ("nhiệm kỳ 2020 - 2025", (2020, 2021, 2022, 2023, 2024, 2025))


def test_an_articles_lead_sets_the_period_of_paragraphs_that_name_none() -> None:
    chunks = document(
        [
            "Chiều 10/12, HĐND tỉnh khóa XVIII thông qua Nghị quyết về kế hoạch phát triển kinh tế - xã hội năm 2026.",
            "Tốc độ tăng trưởng GRDP phấn đấu đạt 10% trở lên.",
            "Phấn đấu đến năm 2030, tỉnh trở thành tỉnh khá.",
        ]
    )
    assert periods(chunks) == [("năm 2026", (2026,), 0)] * 3


def test_six_months_without_a_year_is_the_year_of_the_page_date_stamp() -> None:
    texts = [
        " date 2021-06 Sáng 24/6, Ban Thường vụ Tỉnh ủy cho ý kiến về tình hình kinh tế - xã hội 6 tháng đầu năm.",
        "Trong 6 tháng đầu năm, thu ngân sách tăng 20%.",
        "Xuất khẩu đạt 1 tỷ USD.",
    ]
    # The year is cited from the paragraph that carries the date stamp.
    assert periods(document(texts, issue_date="2021-06")) == [("6 tháng đầu năm", (2021,), 0)] * 3
    # Without a date the year is unknown: the chunks are left without a period rather than given a wrong one.
    assert periods(document(texts)) == [("", (), -1)] * 3


def test_a_table_row_takes_the_period_around_it_but_never_sets_one() -> None:
    chunks = document(
        [
            "Năm 2020, tăng trưởng đạt 6%.",
            "Năm 2021 — Thu ngân sách (tỷ đồng): 14.000",
            "Xuất khẩu đạt 1 tỷ USD.",
        ],
        kinds=["paragraph", "table_row", "paragraph"],
    )
    assert periods(chunks) == [("Năm 2020", (2020,), 0)] * 3


def test_no_chunks_no_periods() -> None:
    assert assign_periods([]) == []


def test_a_congress_article_marks_its_term_as_the_congress_term() -> None:
    chunks = document(
        [
            "Sáng 15/10, Đại hội đại biểu Đảng bộ tỉnh Hà Giang lần thứ XVII, nhiệm kỳ 2020 - 2025 khai mạc.",
            "Tốc độ tăng trưởng kinh tế bình quân đạt 6,5%/năm.",
            "Năm 2020, thu ngân sách đạt 2.600 tỷ đồng.",
        ]
    )
    out = assign_periods(chunks)
    assert [(c.period_kind, c.period_seq) for c in out] == [("congress", 0), ("congress", 0), ("year", 2)]
    assert out[1].period_years == (2020, 2021, 2022, 2023, 2024, 2025)
