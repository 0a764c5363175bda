"""Structure-aware chunking: heading paths, one indicator / table row per chunk, lossless splitting."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from ingest.chunking import chunk_document, join_pages, split_span
from ingest.figures import has_figure
from ingest.models import DocumentMeta, Page
from ingest.structure import parse_document
from prepared_corpus import ALL, HAU_GIANG, KIEN_GIANG, LANG_SON, SOC_TRANG, TRA_VINH, assert_lossless, norm, prepared


def _chunks(text: str, max_chars: int = 1200, title: str | None = None, pages: list[Page] | None = None):
    meta = DocumentMeta(source="test.txt", title=title)
    return chunk_document(pages or [Page(text)], meta, max_chars)


def _by_text(chunks, fragment: str):
    found = [c for c in chunks if fragment in c.text]
    assert len(found) == 1, f"{fragment!r} found in {len(found)} chunks"
    return found[0]


# --- the real corpus ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_corpus_chunking_is_lossless(name: str) -> None:
    doc = prepared(name)
    assert_lossless(doc.text, doc.chunks, doc.meta.title)


@pytest.mark.parametrize("name", ALL)
def test_corpus_chunks_respect_the_size_cap_and_carry_the_document(name: str) -> None:
    doc = prepared(name)
    for chunk in doc.chunks:
        assert chunk.doc == doc.meta and chunk.source == name
        if chunk.kind != "table_row":
            assert len(chunk.text) <= 1200
        assert chunk.text.strip() == chunk.text and chunk.text


def test_tra_vinh_2021_grdp_target_is_its_own_chunk_under_the_2021_targets() -> None:
    chunks = prepared(TRA_VINH).chunks
    target = _by_text(chunks, "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020")
    assert target.text == "- Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020."
    assert target.kind == "indicator"
    assert target.heading_path == (
        "B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021",
        "I. CÁC CHỈ TIÊU CHỦ YẾU",
        "2. Chỉ tiêu kinh tế",
    )
    # What gets indexed names the province and the 2021 section, so the target is findable as 2021's.
    assert target.index_text.startswith("Trà Vinh · ")
    assert "NĂM 2021" in target.index_text
    # The 2020 result that quotes the same target sits under the 2020 results.
    result = _by_text(chunks, "Tốc độ tăng trưởng GRDP đạt 3,32%")
    assert result.heading_path[:2] == ("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020", "I- KẾT QUẢ ĐẠT ĐƯỢC")
    assert result.heading_path[-1] == "4. Lĩnh vực kinh tế"


def test_tra_vinh_neighbouring_targets_are_not_merged() -> None:
    chunks = prepared(TRA_VINH).chunks
    economic = [c for c in chunks if c.heading_path[-1:] == ("2. Chỉ tiêu kinh tế",)]
    assert len(economic) == 7
    assert all(c.kind == "indicator" and c.text.startswith("- ") for c in economic)
    assert _by_text(chunks, "GRDP bình quân đầu người đạt 69 triệu đồng").heading_path[-1] == "2. Chỉ tiêu kinh tế"


def test_soc_trang_table_row_is_rendered_with_its_column_headers() -> None:
    chunks = prepared(SOC_TRANG).chunks
    rice = next(c for c in chunks if c.kind == "table_row" and "Sản lượng lúa (Triệu tấn)" in c.text)
    assert rice.text == (
        "4. Sản lượng lúa (Triệu tấn) — Nghị quyết năm 2019: 2 · Thực hiện năm 2019: 2,17 · "
        "Nghị quyết năm 2020: 2 · Nghị quyết 2020/ Thực hiện 2019: 92,17"
    )
    cells = dict(rice.extra)
    assert cells["THỰC HIỆN NĂM 2019"] == "2,17"
    assert cells["CHỈ TIÊU"] == "Sản lượng lúa" and cells["ĐƠN VỊ TÍNH"] == "Triệu tấn"
    assert rice.heading_path == ("PHỤ LỤC", "CHỈ TIÊU NGHỊ QUYẾT NĂM 2020")
    budget = next(c for c in chunks if c.kind == "table_row" and "Tổng thu ngân sách Nhà nước" in c.text)
    assert dict(budget.extra)["THỰC HIỆN NĂM 2019"] == "3.666,5"  # figures verbatim


def test_soc_trang_sub_rows_are_tied_to_their_parent_row() -> None:
    chunks = prepared(SOC_TRANG).chunks
    specialty = _by_text(chunks, "Tỷ lệ lúa đặc sản chiếm")
    assert specialty.kind == "table_row"
    assert specialty.text.startswith("Trong đó: Tỷ lệ lúa đặc sản chiếm (%) — ")
    assert specialty.context == "4. Sản lượng lúa (Triệu tấn)"
    assert "Sản lượng lúa" in specialty.index_text
    region = next(c for c in chunks if c.kind == "table_row" and c.text.startswith("- Khu vực I (%)"))
    assert region.context == "3. Cơ cấu GRDP"
    # A grouping row without figures ("Trong đó,") is not a row of its own but names its children.
    insured = _by_text(chunks, "Tỷ lệ người tham gia bảo hiểm y tế theo hộ gia đình")
    assert insured.context == "16. Tỷ lệ người dân tham gia bảo hiểm y tế (%) › Trong đó,"
    assert not [c for c in chunks if c.kind == "table_row" and norm(c.text) in ("Trong đó,", "7. Xây dựng nông thôn mới")]


def test_soc_trang_repeated_header_is_not_data_and_rows_continue_across_it() -> None:
    doc = prepared(SOC_TRANG)
    header_lines = [line for line in doc.text.split("\n") if line.startswith("Số TT\tCHỈ TIÊU")]
    assert len(header_lines) == 4  # printed again at the top of each page of the appendix
    rows = [c for c in doc.chunks if c.kind == "table_row"]
    assert not [c for c in rows if "Số TT" in c.text or "CHỈ TIÊU" in c.text]
    assert len(rows) == len({c.start for c in rows})
    # The first row after the last repeated header still belongs to row 20, printed on the page before.
    waste = _by_text(doc.chunks, "Tỷ lệ chất thải rắn sinh hoạt đô thị")
    assert waste.context == "20. Nhóm chỉ tiêu về môi trường"
    numbered = [int(m.group(1)) for c in rows if (m := re.match(r"(\d+)\. ", c.text))]
    assert numbered == sorted(numbered) and numbered[0] == 1 and numbered[-1] == 24


def test_soc_trang_numbered_indicators_are_one_chunk_each() -> None:
    chunks = prepared(SOC_TRANG).chunks
    indicators = [c for c in chunks if c.heading_path == ("II- CHỈ TIÊU",)]
    assert len(indicators) == 24
    assert all(c.kind == "indicator" for c in indicators)
    assert _by_text(chunks, "(4) Sản lượng lúa đạt trên 2 triệu tấn/năm").heading_path == ("II- CHỈ TIÊU",)


def test_lang_son_sections_and_closing_list() -> None:
    chunks = prepared(LANG_SON).chunks
    budget = _by_text(chunks, "6.150,1 tỷ đồng")
    assert budget.heading_path == ("II- CÁC CHỈ TIÊU CHỦ YẾU", "1- Các chỉ tiêu kinh tế:")
    # "1- … 2- … 3-" under IV have no body of their own: they are list items, not headings.
    closing = [c for c in chunks if c.heading_path == ("IV- TỔ CHỨC THỰC HIỆN",)]
    assert [c.text[:2] for c in closing[:3]] == ["1-", "2-", "3-"]
    assert closing[3].text == "Nghị quyết được phổ biến đến chi bộ."
    signature = chunks[-1]
    assert "Lâm Thị Phương Thanh" in signature.text and signature.heading_path == ()


def test_hau_giang_parts_and_decimal_sections() -> None:
    chunks = prepared(HAU_GIANG).chunks
    growth = _by_text(chunks, "Tốc độ tăng trưởng kinh tế bình quân từ 6,3 - 6,7%/năm")
    assert growth.heading_path[-3:] == (
        "PHƯƠNG HƯỚNG, NHIỆM VỤ, GIẢI PHÁP NHIỆM KỲ 2020 - 2025",
        "I. MỤC TIÊU, NHIỆM VỤ VÀ CÁC CHỈ TIÊU NHIỆM KỲ 2020 - 2025",
        "4. Các chỉ tiêu chủ yếu nhiệm kỳ 2020 – 2025",
    )
    assert "Phần thứ hai" in growth.heading_path
    assert growth.context.startswith("Có 18 chỉ tiêu chủ yếu")  # the sentence that introduces the list
    solution = _by_text(chunks, "tầm nhìn đến năm 2050")
    assert solution.heading_path[-2:] == (
        "1. Giải pháp thực hiện các nhiệm vụ đột phá",
        "1.1. Giải pháp thực hiện nhiệm vụ đột phá thứ nhất",
    )
    past = _by_text(chunks, "tỷ lệ hộ nghèo toàn tỉnh còn 3,1%")
    assert "Phần thứ nhất" in past.heading_path and "Phần thứ hai" not in past.heading_path


def test_kien_giang_unbulleted_targets_get_their_lead_in() -> None:
    chunks = prepared(KIEN_GIANG).chunks
    export = _by_text(chunks, "Kim ngạch xuất khẩu 780 triệu USD.")
    assert export.kind == "indicator"
    assert export.context == "Phấn đấu thực hiện đạt các chỉ tiêu chủ yếu sau đây:"
    # The lead-in stops where the figures stop.
    assert _by_text(chunks, "Nghị quyết đề ra các nhiệm vụ và giải pháp chủ yếu về").context == ""


def test_corpus_kind_distribution() -> None:
    kinds = Counter(c.kind for name in ALL for c in prepared(name).chunks)
    assert kinds["table_row"] == len([c for c in prepared(SOC_TRANG).chunks if c.kind == "table_row"]) >= 45
    assert kinds["indicator"] >= 100 and kinds["paragraph"] >= 100


def test_chunk_ids_are_stable_and_unique() -> None:
    doc = prepared(TRA_VINH)
    again = chunk_document([Page(doc.text)], doc.meta, 1200)
    assert [c.id for c in again] == [c.id for c in doc.chunks]
    assert len({c.id for c in again}) == len(again)


# --- headings on small documents --------------------------------------------------------------------
def test_numbered_lines_need_a_sequence_and_paragraphs_starting_with_a_number_are_not_headings() -> None:
    text = (
        "I. TÌNH HÌNH CHUNG\n\n"
        "2020 là năm cuối của nhiệm kỳ, có nhiều khó khăn.\n\n"
        "1. Kinh tế\n\n"
        "Tăng trưởng đạt 7%.\n\n"
        "3. Con số này đứng đầu dòng nhưng không nối tiếp mục 1.\n\n"
        "2. Xã hội\n\n"
        "Giảm nghèo 1,5%.\n\n"
        "II. NHIỆM VỤ\n\n"
        "Thực hiện tốt các nhiệm vụ.\n"
    )
    chunks = _chunks(text)
    assert _by_text(chunks, "2020 là năm").heading_path == ("I. TÌNH HÌNH CHUNG",)
    assert _by_text(chunks, "Tăng trưởng đạt 7%").heading_path == ("I. TÌNH HÌNH CHUNG", "1. Kinh tế")
    stray = _by_text(chunks, "3. Con số này")
    assert stray.kind == "paragraph" and stray.heading_path == ("I. TÌNH HÌNH CHUNG", "1. Kinh tế")
    assert _by_text(chunks, "Giảm nghèo 1,5%").heading_path == ("I. TÌNH HÌNH CHUNG", "2. Xã hội")
    assert _by_text(chunks, "Thực hiện tốt").heading_path == ("II. NHIỆM VỤ",)
    assert_lossless(text, chunks, None)


def test_heading_hierarchy_letters_parts_decimals_and_caps() -> None:
    text = (
        "Phần thứ nhất\nĐÁNH GIÁ KẾT QUẢ\n\n"
        "A. KINH TẾ\n\n"
        "1. Nông nghiệp\n\n1.1. Trồng trọt\n\nSản lượng lúa 2 triệu tấn.\n\n"
        "1.2. Chăn nuôi\n\nĐàn heo 300 nghìn con.\n\n"
        "2. Công nghiệp\n\na) Chế biến\n\nGiá trị 5.000 tỷ đồng.\n\nb) Xây dựng\n\nTăng 10%.\n\n"
        "B. XÃ HỘI\n\nTỷ lệ hộ nghèo còn 3%.\n\n"
        "Phần thứ hai\nPHƯƠNG HƯỚNG\n\n**Mục tiêu chung**\n\nPhát triển nhanh và bền vững.\n"
    )
    chunks = _chunks(text)
    assert _by_text(chunks, "Đàn heo").heading_path == (
        "Phần thứ nhất", "ĐÁNH GIÁ KẾT QUẢ", "A. KINH TẾ", "1. Nông nghiệp", "1.2. Chăn nuôi"
    )
    assert _by_text(chunks, "Tăng 10%").heading_path[-2:] == ("2. Công nghiệp", "b) Xây dựng")
    assert _by_text(chunks, "Tỷ lệ hộ nghèo").heading_path == ("Phần thứ nhất", "ĐÁNH GIÁ KẾT QUẢ", "B. XÃ HỘI")
    assert _by_text(chunks, "Phát triển nhanh").heading_path == ("Phần thứ hai", "PHƯƠNG HƯỚNG", "Mục tiêu chung")
    assert_lossless(text, chunks, None)


def test_numbered_items_without_bodies_are_list_items_with_their_lead_in() -> None:
    text = (
        "III. CHỈ TIÊU\n\n"
        "Phấn đấu đạt các chỉ tiêu sau:\n\n"
        "1. Tăng trưởng kinh tế 8%.\n"
        "2. Thu ngân sách 6.150,1 tỷ đồng.\n"
        "3. Giữ vững ổn định chính trị.\n\n"
        "IV. TỔ CHỨC THỰC HIỆN\n\nCác cấp ủy triển khai nghị quyết.\n"
    )
    chunks = _chunks(text)
    items = [c for c in chunks if c.heading_path == ("III. CHỈ TIÊU",) and c.text[:1].isdigit()]
    assert [c.kind for c in items] == ["indicator", "indicator", "list_item"]
    assert all(c.context == "Phấn đấu đạt các chỉ tiêu sau:" for c in items)
    assert _by_text(chunks, "Các cấp ủy").heading_path == ("IV. TỔ CHỨC THỰC HIỆN",)
    assert_lossless(text, chunks, None)


def test_title_lines_are_not_chunks_and_a_heading_without_content_is_kept() -> None:
    text = "NGHỊ QUYẾT\nvề nhiệm vụ năm 2021\n\nNội dung chính của nghị quyết.\n\nPHỤ LỤC\n"
    chunks = _chunks(text, title="NGHỊ QUYẾT về nhiệm vụ năm 2021")
    assert [c.text for c in chunks] == ["Nội dung chính của nghị quyết.", "PHỤ LỤC"]
    assert [c.kind for c in chunks] == ["paragraph", "paragraph"]
    assert_lossless(text, chunks, "NGHỊ QUYẾT về nhiệm vụ năm 2021")
    empty_section = _chunks("I. MỤC TIÊU\n\nPhát triển.\n\nII. NHIỆM VỤ\n\nIII. GIẢI PHÁP\n\nTăng cường.\n")
    heading = _by_text(empty_section, "II. NHIỆM VỤ")
    assert heading.kind == "heading" and heading.heading_path == ()


# --- tables ------------------------------------------------------------------------------------------
def test_table_split_over_two_pages_keeps_page_numbers_and_skips_the_repeated_header() -> None:
    header = "STT\tChỉ tiêu\tĐơn vị\tKế hoạch 2021\tThực hiện 2021"
    page1 = f"BẢNG CHỈ TIÊU\n\n{header}\n1\tTổng thu ngân sách\tTỷ đồng\t6.150,1\t6.200\n2\tCơ cấu kinh tế\t\t\t\n\t- Nông nghiệp\t%\t20\t19,5"
    page2 = f"{header}\n\t- Dịch vụ\t%\t50\t51,2\n3\tTrồng rừng\tha\t9.000\t9.100"
    pages = [Page(page1, 1), Page(page2, 2)]
    chunks = _chunks("", pages=pages)
    rows = [c for c in chunks if c.kind == "table_row"]
    assert [c.page for c in rows] == [1, 1, 2, 2]
    assert rows[0].text == "1. Tổng thu ngân sách (Tỷ đồng) — Kế hoạch 2021: 6.150,1 · Thực hiện 2021: 6.200"
    assert rows[2].text == "- Dịch vụ (%) — Kế hoạch 2021: 50 · Thực hiện 2021: 51,2"
    assert rows[2].context == "2. Cơ cấu kinh tế"  # its parent was printed on the previous page
    assert all(c.heading_path == ("BẢNG CHỈ TIÊU",) for c in rows)
    text, starts = join_pages(pages)
    assert starts == (0, len(page1) + 2)
    assert_lossless(text, chunks, None)


def test_two_level_header_names_each_column_and_is_recognised_when_repeated() -> None:
    header = "TT\tChỉ tiêu\tĐVT\tNăm 2020\t\tNăm 2021\n\t\t\tKế hoạch\tThực hiện\tKế hoạch"
    text = f"BẢNG\n\n{header}\n1\tGRDP\t%\t6,5\t2,9\t6,5\n\n{header}\n2\tTrồng rừng\tha\t9.000\t9.100\t9.500\n"
    rows = _chunks(text)
    assert [c.text for c in rows] == [
        "1. GRDP (%) — Năm 2020 Kế hoạch: 6,5 · Năm 2020 Thực hiện: 2,9 · Năm 2021 Kế hoạch: 6,5",
        "2. Trồng rừng (ha) — Năm 2020 Kế hoạch: 9.000 · Năm 2020 Thực hiện: 9.100 · Năm 2021 Kế hoạch: 9.500",
    ]
    assert dict(rows[0].extra)["Năm 2020 Thực hiện"] == "2,9"
    assert_lossless(text, rows, None)


def test_lettered_group_rows_head_the_rows_below_them() -> None:
    text = (
        "TT\tChỉ tiêu\tĐVT\tKế hoạch 2021\nI\tCHỈ TIÊU KINH TẾ\t\t\n1\tTăng trưởng GRDP\t%\t6,5\n"
        "2\tCơ cấu kinh tế\t\t\n\t- Nông nghiệp\t%\t20\nII\tCHỈ TIÊU XÃ HỘI\t\t\n3\tTỷ lệ hộ nghèo\t%\t1,5\n"
    )
    rows = _chunks(text)
    assert [(c.text, c.context) for c in rows] == [
        ("1. Tăng trưởng GRDP (%) — Kế hoạch 2021: 6,5", "I CHỈ TIÊU KINH TẾ"),
        ("- Nông nghiệp (%) — Kế hoạch 2021: 20", "I CHỈ TIÊU KINH TẾ › 2. Cơ cấu kinh tế"),
        ("3. Tỷ lệ hộ nghèo (%) — Kế hoạch 2021: 1,5", "II CHỈ TIÊU XÃ HỘI"),
    ]
    assert_lossless(text, rows, None)


def test_table_without_header_keeps_every_cell() -> None:
    text = "Các số liệu:\n\n1\tDiện tích lúa\t205.114\n2\tSản lượng\t1,32\n"
    rows = [c for c in _chunks(text) if c.kind == "table_row"]
    assert [c.text for c in rows] == ["1 · Diện tích lúa · 205.114", "2 · Sản lượng · 1,32"]


# --- long paragraphs -------------------------------------------------------------------------------
def test_long_paragraph_is_split_at_sentences_never_inside_numbers_or_after_abbreviations() -> None:
    sentences = [
        f"Câu thứ {i} nói về thu ngân sách 6.150,1 tỷ đồng và mức 1.100 - 1.200 đảng viên tại TP. Hồ Chí Minh năm 2020."
        for i in range(1, 40)
    ]
    text = "I. NỘI DUNG\n\n" + " ".join(sentences) + "\n"
    chunks = _chunks(text, max_chars=400)
    body = [c for c in chunks if c.heading_path == ("I. NỘI DUNG",)]
    assert len(body) > 5
    for chunk in body:
        assert len(chunk.text) <= 400
        assert chunk.text.startswith("Câu thứ") and chunk.text.endswith("năm 2020.")
    assert " ".join(c.text for c in body) == " ".join(sentences)
    assert_lossless(text, chunks, None)


def test_a_sentence_longer_than_the_cap_is_cut_at_clauses() -> None:
    clause = "tăng cường công tác kiểm tra, giám sát các lĩnh vực đất đai và đầu tư công đạt 95,5%"
    text = "Nhiệm vụ: " + "; ".join([clause] * 20) + "."
    spans = split_span(text, 0, len(text), 300)
    assert len(spans) > 1
    assert all(b - a <= 300 for a, b in spans)
    assert all(text[a:b].endswith(("%;", "%.")) for a, b in spans)  # cut after a clause, not mid-clause
    assert norm(" ".join(text[a:b] for a, b in spans)) == norm(text)


def test_max_chars_must_leave_room_for_a_passage() -> None:
    with pytest.raises(ValueError):
        _chunks("Một đoạn văn.", max_chars=50)


# --- helpers ------------------------------------------------------------------------------------------
def test_figures_are_quantities_not_years_dates_or_document_numbers() -> None:
    assert has_figure("Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.")
    assert has_figure("Xây dựng 382km đường liên ấp.") and has_figure("Có 49/80 xã đạt chuẩn.")
    assert not has_figure("Thực hiện Chỉ thị số 05-CT/TW, ngày 15/5/2016 của Bộ Chính trị năm 2020.")
    assert not has_figure("Hội nghị lần thứ 18 Ban Chấp hành Đảng bộ tỉnh khoá XVI.")


def test_parse_document_reports_elements_in_reading_order() -> None:
    text = "A. MỘT\n\nNội dung một.\n\nB. HAI\n\n- Ý thứ nhất 5%.\n- Ý thứ hai.\n"
    elements = parse_document(text)
    assert [e.kind for e in elements] == ["paragraph", "list_item", "list_item"]
    assert [e.heading_path for e in elements] == [("A. MỘT",), ("B. HAI",), ("B. HAI",)]
    assert [e.start for e in elements] == sorted(e.start for e in elements)


def test_embedded_text_variants_keep_the_passage_and_drop_parts_of_the_header() -> None:
    chunks = prepared(TRA_VINH).chunks
    target = _by_text(chunks, "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020")
    title = target.doc.title
    assert title and title in target.header
    assert target.embed_text("full") == target.index_text
    assert target.embed_text("short") == f"Trà Vinh · 2. Chỉ tiêu kinh tế\n{target.text}"
    assert target.embed_text("none") == target.text
    # "key": the province and the years of the section, and the document's own text for a blended vector.
    assert target.embed_text("key") == f"Trà Vinh · 2021\n{target.text}"
    assert target.doc_embed_text("key") == f"Trà Vinh · {title}"
    assert all(target.doc_embed_text(v) is None for v in ("full", "short", "none"))
    result = _by_text(chunks, "Tốc độ tăng trưởng GRDP đạt 3,32%")
    assert result.embed_text("key").startswith("Trà Vinh · 2020\n")  # years from the nearest heading naming any
    # Every variant is shorter than the full one, and the lexical text keeps the whole header whatever is embedded.
    assert all(len(target.embed_text(v)) < len(target.index_text) for v in ("short", "key", "none"))
    assert target.index_text.startswith(target.header)
    # A table row keeps its column context in the vector.
    specialty = _by_text(prepared(SOC_TRANG).chunks, "Tỷ lệ lúa đặc sản chiếm")
    assert specialty.embed_text("none") == f"{specialty.text}\n{specialty.context}"
