"""Document metadata detected from the text: the five corpus documents and documents of the same genre."""

from __future__ import annotations

import pytest

from ingest.metadata import (
    detect_genre_type,
    detect_headline,
    detect_metadata,
    detect_published,
    detect_title,
    years_with_cues,
)
from prepared_corpus import HAU_GIANG, KIEN_GIANG, LANG_SON, SOC_TRANG, TRA_VINH, prepared

EXPECTED = {
    SOC_TRANG: dict(
        province="Sóc Trăng", plan_years=(2020,), report_years=(2019,), years=(2019, 2020), doc_type="nghị quyết",
        number=None, issue_date=None, signer="Phan Văn Sáu",
        title="NGHỊ QUYẾT CỦA BAN CHẤP HÀNH ĐẢNG BỘ TỈNH về mục tiêu, phương hướng, nhiệm vụ phát triển kinh tế - xã hội, "
        "bảo đảm quốc phòng, an ninh, xây dựng hệ thống chính trị năm 2020",
    ),
    LANG_SON: dict(
        province="Lạng Sơn", plan_years=(2020,), report_years=(), years=(2020,), doc_type="nghị quyết",
        number="Nghị quyết số 100", issue_date="2019-12-05", signer="Lâm Thị Phương Thanh",
        title="Nghị quyết Hội nghị lần thứ 18 Ban Chấp hành Đảng bộ tỉnh khoá XVI về nhiệm vụ năm 2020",
    ),
    TRA_VINH: dict(
        province="Trà Vinh", plan_years=(2021,), report_years=(2020,), years=(2020, 2021),
        doc_type="tài liệu tuyên truyền", number=None, issue_date=None, signer=None,
        title="TÀI LIỆU TUYÊN TRUYỀN KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020 CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021",
    ),
    HAU_GIANG: dict(
        province="Hậu Giang", plan_years=tuple(range(2020, 2026)), report_years=tuple(range(2015, 2021)),
        years=tuple(range(2015, 2026)), doc_type="báo cáo chính trị", number=None, issue_date=None, signer=None,
        title="Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh, nhiệm kỳ 2015 - 2020 trình Đại hội đại biểu "
        "Đảng bộ tỉnh, lần thứ XIV, nhiệm kỳ 2020 - 2025",
    ),
    KIEN_GIANG: dict(
        province="Kiên Giang", plan_years=(2020,), report_years=(), years=(2020,), doc_type="nghị quyết",
        number="27-NQ/TU", issue_date="2019-12-27", signer="Nguyễn Thanh Nghị",
        title="Nghị quyết của Tỉnh ủy về nhiệm vụ năm 2020",
    ),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_corpus_metadata(name: str) -> None:
    meta = prepared(name).meta
    for field, value in EXPECTED[name].items():
        assert getattr(meta, field) == value, field
    assert meta.source == name and len(meta.content_hash) == 64


OFFICIAL = """ĐẢNG BỘ TỈNH BẾN TRE
BAN CHẤP HÀNH
*
Số: 45-NQ/TU

Bến Tre, ngày 27 tháng 12 năm 2020

NGHỊ QUYẾT
về phương hướng, nhiệm vụ năm 2021

Năm 2020, tỉnh Bến Tre đạt nhiều kết quả; giai đoạn 2016 - 2020 tăng trưởng bình quân 7%.

I. MỤC TIÊU

Tăng trưởng kinh tế từ 6,5% trở lên.

T/M BAN CHẤP HÀNH
BÍ THƯ

Phan Văn Mãi
"""


def test_official_document_header_and_signature() -> None:
    meta = detect_metadata(OFFICIAL, "ben-tre.txt", "h")
    assert meta.title == "NGHỊ QUYẾT về phương hướng, nhiệm vụ năm 2021"
    assert meta.doc_type == "nghị quyết"
    assert meta.number == "45-NQ/TU"
    assert meta.issue_date == "2020-12-27"
    assert meta.signer == "Phan Văn Mãi"
    assert meta.province == "Bến Tre"
    # 2020 and 2016–2020 are only mentioned in passing; the document plans for 2021.
    assert meta.years == (2021,) and meta.plan_years == (2021,) and meta.report_years == ()


def test_news_article_about_a_resolution() -> None:
    text = (
        "Trang chủ\n\nKế hoạch của UBND tỉnh về phát triển kinh tế năm 2022\n\n"
        "Ngày 5/1/2022, UBND tỉnh Đồng Tháp ban hành Kế hoạch số 12/KH-UBND về phát triển kinh tế năm 2022. "
        "Theo đó, tỉnh phấn đấu tăng trưởng 6%.\n"
    )
    meta = detect_metadata(text, "dong-thap.html", "h")
    assert meta.title == "Kế hoạch của UBND tỉnh về phát triển kinh tế năm 2022"
    assert (meta.doc_type, meta.number, meta.issue_date) == ("kế hoạch", "12/KH-UBND", "2022-01-05")
    assert meta.province == "Đồng Tháp" and meta.plan_years == (2022,)


def test_issue_date_named_right_after_the_verb_wins_over_the_articles_own_date() -> None:
    text = (
        "Nghị quyết về nhiệm vụ năm 2021\n\n"
        "Ngày 10/1/2021, Tỉnh ủy Cà Mau tổ chức hội nghị quán triệt Nghị quyết số 15-NQ/TU được ban hành "
        "ngày 20/12/2020 về nhiệm vụ năm 2021.\n"
    )
    meta = detect_metadata(text, "ca-mau.txt", "h")
    assert meta.issue_date == "2020-12-20" and meta.province == "Cà Mau"


def test_report_and_plan_years_from_the_title() -> None:
    text = "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2022 VÀ PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2023\n\nNội dung báo cáo của tỉnh Cà Mau.\n"
    meta = detect_metadata(text, "x.txt", "h")
    assert meta.doc_type == "báo cáo"
    assert (meta.report_years, meta.plan_years, meta.years) == ((2022,), (2023,), (2022, 2023))


def test_unknown_stays_unknown() -> None:
    meta = detect_metadata("Một đoạn văn bình thường, không nói gì về tỉnh nào hay năm nào cả.\n", "a.txt", "h")
    assert meta.title is None and meta.province is None and meta.doc_type is None
    assert meta.years == () and meta.number is None and meta.issue_date is None and meta.signer is None


def test_two_provinces_with_equal_weight_give_no_province() -> None:
    text = "Báo cáo so sánh\n\nTỉnh Trà Vinh và tỉnh Sóc Trăng cùng đạt mức tăng trưởng 6%.\n"
    assert detect_metadata(text, "a.txt", "h").province is None


def test_a_passing_mention_is_not_the_documents_province() -> None:
    text = "Nghị quyết về nhiệm vụ năm 2021\n\nHọc tập kinh nghiệm của Hà Nội trong cải cách hành chính.\n"
    assert detect_metadata(text, "a.txt", "h").province is None


def test_title_skips_web_chrome_and_stops_before_the_body() -> None:
    lines = ["Cổng thông tin điện tử", "", "Hoạt động của Tỉnh ủy", "", "Nghị quyết của Tỉnh ủy về nhiệm vụ năm 2020",
             "(15:45)"]
    assert detect_title(lines) == "Nghị quyết của Tỉnh ủy về nhiệm vụ năm 2020"
    body = ["Năm 2020 " + "có nhiều khó khăn, " * 30 + "cần cố gắng.", "Nghị quyết này có hiệu lực kể từ ngày ký"]
    assert detect_title(body) is None
    # A title block goes on over its own lines, not past a blank line or onto a date line.
    assert detect_title(["NGHỊ QUYẾT", "Về kế hoạch phát triển kinh tế - xã hội năm 2021", "", "HĐND TỈNH"]) == (
        "NGHỊ QUYẾT Về kế hoạch phát triển kinh tế - xã hội năm 2021"
    )
    assert detect_title(["Kế hoạch hành động năm 2022", "Thứ ba, 11/01/2022"]) == "Kế hoạch hành động năm 2022"


def test_year_cues() -> None:
    assert years_with_cues("KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020 CÁC CHỈ TIÊU NĂM 2021") == [
        ("report", [2020]), ("plan", [2021])
    ]
    assert years_with_cues("Các chỉ tiêu chủ yếu nhiệm kỳ 2020 – 2025") == [("plan", [2020, 2021, 2022, 2023, 2024, 2025])]
    assert years_with_cues("Công tác chỉ đạo Đại hội Đảng các cấp, nhiệm kỳ 2020 - 2025") == [
        (None, [2020, 2021, 2022, 2023, 2024, 2025])
    ]
    assert years_with_cues("THỰC HIỆN NĂM 2019") == [("report", [2019])]


def test_an_article_without_a_title_is_named_by_its_headline_or_lead() -> None:
    page = (
        " date 2021-06 Sáng 24/6, Ban Thường vụ Tỉnh ủy Nghệ An cho ý kiến về tình hình kinh tế - xã hội "
        "6 tháng đầu năm. Tốc độ tăng trưởng ước đạt 6,2%.\n\nTrong 6 tháng đầu năm, thu ngân sách tăng.\n"
    )
    meta = detect_metadata(page, "nghe-an.txt", "h")
    assert meta.title == "Sáng 24/6, Ban Thường vụ Tỉnh ủy Nghệ An cho ý kiến về tình hình kinh tế - xã hội 6 tháng đầu năm"
    assert meta.issue_date == "2021-06" and meta.doc_type == "tin họp tỉnh ủy"
    headline = "Thứ Bảy, 26-09-2020, 12:11\nXây dựng Bắc Ninh trở thành thành phố văn minh, hiện đại\n\nSáng 26-9, Đại hội đại biểu Đảng bộ tỉnh Bắc Ninh lần thứ XX bế mạc.\n"
    meta = detect_metadata(headline, "bac-ninh.txt", "h")
    assert meta.title == "Xây dựng Bắc Ninh trở thành thành phố văn minh, hiện đại"
    assert meta.doc_type == "tin đại hội đảng bộ"


def test_an_hdnd_resolution_is_known_by_its_form() -> None:
    text = (
        "HỘI ĐỒNG NHÂN DÂN TỈNH BẮC NINH\n\nNGHỊ QUYẾT\n\nVỀ MỤC TIÊU, NHIỆM VỤ NĂM 2020\n\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương;\n\nQUYẾT NGHỊ:\n\nĐiều 1. Mục tiêu: tăng trưởng 6%.\n"
    )
    meta = detect_metadata(text, "bn.txt", "h")
    assert meta.title == "NGHỊ QUYẾT VỀ MỤC TIÊU, NHIỆM VỤ NĂM 2020" and meta.doc_type == "nghị quyết"


def test_a_headline_is_the_first_short_line_after_the_sites_date_lines() -> None:
    lines = ["Thứ Năm, 15/10/2020, 09:30", "Đại hội đại biểu Đảng bộ tỉnh Hà Giang lần thứ XVII thành công tốt đẹp", "",
             "Sáng 15/10, Đại hội bế mạc."]
    assert detect_headline(lines) == "Đại hội đại biểu Đảng bộ tỉnh Hà Giang lần thứ XVII thành công tốt đẹp"
    assert detect_headline(["Trọng Bảo - 15:22, 15/10/2020", "Tỉnh ủy Hà Giang tổng kết công tác năm 2020", "Nội dung."]) == (
        "Tỉnh ủy Hà Giang tổng kết công tác năm 2020"
    )
    # The site's date stamp is cut off the line it opens.
    assert detect_headline(["date 2021-06 Hà Nam: tăng trưởng 6 tháng đầu năm đạt 7,5%", "Nội dung."]) == (
        "Hà Nam: tăng trưởng 6 tháng đầu năm đạt 7,5%"
    )


def test_without_a_headline_the_lead_names_the_article_cut_at_a_word() -> None:
    lead = (
        "Sáng 15/10, tại Trung tâm Hội nghị tỉnh, Đại hội đại biểu Đảng bộ tỉnh Hà Giang lần thứ XVII, nhiệm kỳ "
        "2020 - 2025 đã long trọng bế mạc sau ba ngày làm việc khẩn trương, nghiêm túc và đạt kết quả tốt đẹp. Tiếp theo"
    )
    assert detect_headline([lead, "", "Đoạn hai."]) == (
        "Sáng 15/10, tại Trung tâm Hội nghị tỉnh, Đại hội đại biểu Đảng bộ tỉnh Hà Giang lần thứ XVII, nhiệm kỳ "
        "2020 - 2025 đã long trọng bế mạc sau ba ngày làm việc …"
    )
    # A text of one paragraph has no headline: its first sentence is its content, not its name.
    assert detect_headline(["Sáng 15/10, Đại hội bế mạc sau ba ngày làm việc. Đại hội đã bầu Ban Chấp hành."]) is None


def test_the_published_date_is_the_sites_stamp_at_the_top_of_the_page() -> None:
    assert detect_published(["Tin tức", "date 2020-10-15 Đại hội Đảng bộ tỉnh", "…"]) == "2020-10-15"
    assert detect_published(["Date 2021-06 Sáng 24/6, …"]) == "2021-06"
    assert detect_published(["Tin tức", "Thời sự", "Kinh tế", "date 2020-10-15"]) is None  # not at the top
    assert detect_published(["Ngày 15/10/2020, Đại hội khai mạc."]) is None  # a date in the text is no stamp


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Sáng 15/10, Đại hội đại biểu Đảng bộ tỉnh Hà Giang lần thứ XVII khai mạc. Đại hội đại biểu đã thảo luận.",
         "tin đại hội đảng bộ"),
        ("Chiều 10/12, kỳ họp thứ 15 HĐND tỉnh khóa XVIII bế mạc. Hội đồng nhân dân tỉnh thông qua 20 nghị quyết.",
         "tin kỳ họp hđnd"),
        ("Ban Thường vụ Tỉnh ủy họp phiên thường kỳ tháng 6. Ban Thường vụ Tỉnh uỷ thống nhất chủ trương.", "tin họp tỉnh ủy"),
        ("Kết quả thực hiện nhiệm vụ năm 2020: tăng trưởng đạt 6%.", "tin kết quả"),
        # The form of a resolution outweighs the congress it quotes.
        ("Căn cứ Luật Tổ chức chính quyền địa phương;\nCăn cứ Nghị quyết Đại hội đại biểu Đảng bộ tỉnh;\n"
         "QUYẾT NGHỊ:\nĐiều 1. Thông qua kế hoạch.", "nghị quyết"),
        ("Tăng trưởng đạt 6%.", None),
    ],
)
def test_the_kind_of_an_article_is_what_it_reports_on(text: str, kind: str | None) -> None:
    assert detect_genre_type(text) == kind
