"""Generic text repair, checked on the real corpus and on small texts in the genre."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest

from ingest.models import Page
from ingest.repair import repair_pages, repair_text

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
FILES = sorted(p.name for p in CORPUS.glob("*.txt"))


def _corpus(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def repaired() -> dict[str, str]:
    return {name: repair_text(_corpus(name)) for name in FILES}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


# --- the corpus ---------------------------------------------------------------------------------------
def test_kien_giang_loses_its_web_chrome_but_not_the_resolution(repaired: dict[str, str]) -> None:
    text = repaired["kien-giang-nq-27-nhiem-vu-2020.txt"]
    assert "Xem với cỡ chữ" not in text
    assert "Cổng thông tin điện tử" not in text
    assert "Hoạt động của Tỉnh ủy và HĐND" not in text  # the breadcrumb between two chrome lines
    lines = text.split("\n")
    assert lines[0] == "Nghị quyết của Tỉnh ủy về nhiệm vụ năm 2020"  # the title is kept
    assert "(15:45 | 02/01/2020)" in lines  # the timestamp carries the date
    assert "ký ban hành Nghị quyết số 27-NQ/TU của Ban Chấp hành Đảng bộ tỉnh về phương hướng nhiệm vụ năm 2020." in text
    assert "Tăng trưởng kinh tế đạt 7,23%, thu nhập bình quân đầu người 2.458 USD (theo giá hiện hành)." in lines
    assert lines[-1] == "THÁI CHÂU"  # the byline at the end is content, not a footer


def test_tra_vinh_footer_block_is_removed_and_its_last_paragraph_kept(repaired: dict[str, str]) -> None:
    text = repaired["tra-vinh-tuyen-truyen-2020-2021.txt"]
    for chrome in ("Đăng nhập", "Thống kê truy cập", "Đang online", "Tất cả: 8822748", "Chung nhan Tin Nhiem Mang",
                   "Ghi rõ nguồn", "Email: btgtutravinh", "Website: tuyengiao", "Trưởng Ban biên tập"):
        assert chrome not in text, chrome
    assert text.rstrip().endswith(
        "Quan tâm đào tạo, bồi dưỡng kiến thức, nghiệp vụ, ngoại ngữ cho đội ngũ CB, CC, VC làm công tác đối ngoại."
    )
    # A title shown twice by the web page (<title> and <h1>) is kept once; the "-----" rule goes.
    assert text.count("TÀI LIỆU TUYÊN TRUYỀN KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020") == 1
    assert "-----" not in text


def test_soc_trang_table_loses_its_italic_tags_but_keeps_every_column(repaired: dict[str, str]) -> None:
    text = repaired["soc-trang-nq-nhiem-vu-2020.txt"]
    assert "<i>" not in text and "</i>" not in text
    rows = text.split("\n")
    assert "\tTrong đó: Giá trị xuất khẩu thủy sản\tTriệu USD\t620\t630\t670\t106,35" in rows
    assert "\tTrong đó,\t\t\t\t\t" in rows  # an empty-cell row keeps its six tabs
    assert "4\tSản lượng lúa\tTriệu tấn\t2\t2,17\t2\t92,17" in rows
    original = [ln for ln in _corpus("soc-trang-nq-nhiem-vu-2020.txt").split("\n") if "\t" in ln]
    kept = [ln for ln in rows if "\t" in ln]
    assert len(kept) == len(original)
    assert [ln.count("\t") for ln in kept] == [ln.count("\t") for ln in original]


def test_hau_giang_sentence_broken_by_a_blank_line_is_joined(repaired: dict[str, str]) -> None:
    text = repaired["hau-giang-bao-cao-chinh-tri-2020-2025.txt"]
    assert "hoàn thành sớm mục tiêu xây dựng nông thôn mới (đạt 32/51 xã" in text
    assert "mục\n" not in text
    assert "thái độ phục vụ người bệnh của đội ngũ y, bác sĩ." in text
    # a numbered heading broken the same way is mended, and stays a line of its own
    assert "\n3.4. Nâng cao thành tích thể dục, thể thao, nhất là các môn thể thao thể mạnh của tỉnh\n" in text
    # Markdown bold from a conversion is unwrapped; the bullet stays a bullet
    assert "**" not in text
    assert "\n- Công tác chính trị, tư tưởng và đạo đức được chú trọng: Việc học tập" in text


def test_headings_and_list_items_are_never_glued_to_a_neighbour(repaired: dict[str, str]) -> None:
    soc_trang = repaired["soc-trang-nq-nhiem-vu-2020.txt"].split("\n")
    assert "I- MỤC TIÊU" in soc_trang and "II- CHỈ TIÊU" in soc_trang
    assert "- (1) Tốc độ tăng trưởng kinh tế từ 7,5% trở lên." in soc_trang
    assert "- (2) GRDP bình quân đầu người đạt 50,8 triệu đồng/người/năm." in soc_trang
    assert "NGHỊ QUYẾT" in soc_trang and "CỦA BAN CHẤP HÀNH ĐẢNG BỘ TỈNH" in soc_trang
    tra_vinh = repaired["tra-vinh-tuyen-truyen-2020-2021.txt"].split("\n")
    assert "A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020" in tra_vinh
    assert "B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021" in tra_vinh
    assert "* Nguyên nhân đạt được" in tra_vinh  # an asterisk bullet is not Markdown emphasis
    lang_son = repaired["lang-son-nq-100-nhiem-vu-2020.txt"].split("\n")
    assert lang_son[-3:] == ["T/M TỈNH UỶ", "", "BÍ THƯ", "", "Lâm Thị Phương Thanh"][-3:] or lang_son[-1] == "Lâm Thị Phương Thanh"


@pytest.mark.parametrize("name", FILES)
def test_no_content_sentence_is_lost(repaired: dict[str, str], name: str) -> None:
    """Every prose paragraph and table row of the source survives (modulo markup and whitespace)."""
    text = _squash(repaired[name].replace("*", ""))
    source = re.sub(r"</?i>|\*", "", _corpus(name))
    for line in source.split("\n"):
        if (len(line.strip()) >= 60 or "\t" in line) and _squash(line) not in EXPECTED_CHROME:
            assert _squash(line) in text, line[:80]


# Long lines of the corpus that are web-page footer, and so expected to go.
EXPECTED_CHROME = {
    "Ghi rõ nguồn \"Trang tin điện tử Ban Tuyên giáo Tỉnh ủy Trà Vinh\" khi phát hành lại thông tin từ website này.",
    "Chức vụ: Ủy viên Thường vụ Tỉnh ủy, Trưởng Ban Tuyên giáo Tỉnh ủy.",
    "Địa chỉ: số 4, Nguyễn Thái Học, Khóm 4, Phường 1, Thành phố Trà Vinh",
}


@pytest.mark.parametrize("name", FILES)
def test_repair_keeps_tone_style_and_is_idempotent(repaired: dict[str, str], name: str) -> None:
    text = repaired[name]
    assert unicodedata.is_normalized("NFC", text)
    assert repair_text(text) == text
    assert "\n\n\n" not in text
    source = _corpus(name)
    for old_style in ("hoà", "Uỷ", "uỷ", "khoá", "hoá"):
        assert text.count(old_style) == source.count(old_style), old_style  # displayed text is never re-toned


def test_whole_corpus_repairs_quickly() -> None:
    started = time.perf_counter()
    for name in FILES:
        repair_text(_corpus(name))
    assert time.perf_counter() - started < 15  # ~0.25 s on an idle 2-core machine; guards against blow-ups


# --- small texts in the genre -------------------------------------------------------------------------
def test_nfc_and_invisible_characters() -> None:
    text = unicodedata.normalize("NFD", "Nghị\u00a0quyết\u200b số 27\u00ad-NQ/TU\r\nngày 27/12/2019")
    assert repair_text(text) == "Nghị quyết số 27-NQ/TU ngày 27/12/2019"


def test_leaked_tags_and_entities_keep_their_inner_text() -> None:
    text = "Tổng thu ngân sách <b>đạt 3.683,5</b> tỷ&nbsp;đồng<br>Chi &amp; đầu tư <span class=\"x\">tăng</span> 5%.<script>alert(1)</script>"
    assert repair_text(text) == "Tổng thu ngân sách đạt 3.683,5 tỷ đồng\nChi & đầu tư tăng 5%."
    assert repair_text("Tỷ lệ hộ nghèo < 2% và > 1%") == "Tỷ lệ hộ nghèo < 2% và > 1%"
    row = "\t<i>Trong đó:</i> thủy sản<br>xuất khẩu\t%\t<i>52</i>\t"
    assert repair_text(row) == "\tTrong đó: thủy sản xuất khẩu\t%\t52\t"


def test_generic_chrome_lines_are_removed_anywhere_they_are_unambiguous() -> None:
    text = "\n".join([
        "Trang chủ » Tin tức » Văn bản",
        "Đăng nhập | Đăng ký",
        "Cỡ chữ: A A A",
        "Báo cáo kết quả thực hiện nhiệm vụ năm 2022",
        "Tổng sản phẩm trên địa bàn tăng 8,5% so với năm trước.",
        "Chia sẻ",
        "Tổng số: 1.250 hộ thoát nghèo.",
        "Kết quả giảm nghèo vượt kế hoạch.",
        "In bài viết",
        "Lượt xem: 1.250",
        "© 2022 Cổng thông tin điện tử tỉnh. Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
    ])
    lines = repair_text(text).split("\n")
    assert lines == [
        "Báo cáo kết quả thực hiện nhiệm vụ năm 2022",
        "Tổng sản phẩm trên địa bàn tăng 8,5% so với năm trước.",
        "Tổng số: 1.250 hộ thoát nghèo.",  # content between two chrome lines stays: it is a sentence
        "Kết quả giảm nghèo vượt kế hoạch.",
    ]


def test_address_lines_are_chrome_only_inside_a_footer() -> None:
    body = "Địa chỉ: xã Tân Ngại, huyện Châu Thành là nơi triển khai mô hình điểm."
    assert repair_text(f"Kết quả năm 2020.\n{body}\nTiếp tục nhân rộng mô hình.") == (
        f"Kết quả năm 2020.\n{body}\nTiếp tục nhân rộng mô hình."
    )


def test_continuations_join_but_sentence_ends_headings_lists_and_rows_do_not() -> None:
    text = (
        "Phấn đấu hoàn thành các chỉ tiêu, trong đó,\n\ntập trung phát triển nông nghiệp;\n\n"
        "tăng cường khai thác nguồn thu.\n\nĐẩy mạnh cải cách hành chính.\n"
        "Phần thứ hai\nnhiệm vụ năm 2021\n"
        "a) tăng trưởng kinh tế\nb) giảm nghèo\n"
        "Số TT\tChỉ tiêu\tĐơn vị\n1\tGRDP\t%\n"
        "Các chỉ tiêu chủ yếu:\nphát triển kinh tế nhanh\n"
        "PHẦN II\nnhiệm vụ"
    )
    assert repair_text(text).split("\n") == [
        "Phấn đấu hoàn thành các chỉ tiêu, trong đó, tập trung phát triển nông nghiệp; tăng cường khai thác nguồn thu.",
        "",
        "Đẩy mạnh cải cách hành chính.",
        "Phần thứ hai nhiệm vụ năm 2021",
        "a) tăng trưởng kinh tế",
        "b) giảm nghèo",
        "Số TT\tChỉ tiêu\tĐơn vị",
        "1\tGRDP\t%",
        "Các chỉ tiêu chủ yếu:",
        "phát triển kinh tế nhanh",
        "PHẦN II",
        "nhiệm vụ",
    ]


def test_line_break_hyphens() -> None:
    assert repair_text("phát tri-\nển kinh tế") == "phát triển kinh tế"   # a syllable split by a typesetter
    assert repair_text("phát-\ntriển kinh tế") == "phát-triển kinh tế"   # two words: the hyphen was written
    assert repair_text("đồng bào Ê-\nđê và Ba-\nna") == "đồng bào Ê-đê và Ba-na"
    assert repair_text("kinh tế -\nxã hội") == "kinh tế - xã hội"
    assert repair_text("đại dịch Covid-\n19 đã") == "đại dịch Covid-\n19 đã"  # a digit does not continue a word


def test_hard_wrapped_text_is_unwrapped_without_merging_paragraphs() -> None:
    paragraph = (
        "Năm 2021, tỉnh phấn đấu tốc độ tăng trưởng kinh tế từ 11% trở lên so với năm 2020. Thu nhập bình quân "
        "đầu người đạt 70 triệu đồng. Tổng vốn đầu tư toàn xã hội tăng 10% so với năm trước, trong đó vốn ngoài "
        "ngân sách chiếm tỷ trọng ngày càng lớn. Tỷ lệ hộ nghèo giảm 1% trở lên, riêng hộ nghèo Khmer giảm 2%. "
        "Tỷ lệ lao động qua đào tạo đạt 70%. Tỷ lệ tham gia bảo hiểm y tế đạt 95% dân số. Trà Vinh tiếp tục "
        "thu hút đầu tư vào Khu kinh tế Định An và các khu công nghiệp."
    )
    import textwrap

    wrapped = "\n".join(textwrap.wrap(paragraph, 72))
    text = f"1. Về kinh tế\n{wrapped}\n2. Về xã hội\n{wrapped}\n"
    assert repair_text(text).split("\n") == ["1. Về kinh tế", paragraph, "2. Về xã hội", paragraph]


def test_five_megabyte_single_line_repairs_fast() -> None:
    line = "Tốc độ tăng trưởng <i>kinh tế</i> đạt **7,5%** trở lên; " * 90000
    started = time.perf_counter()
    out = repair_text(line)
    assert time.perf_counter() - started < 15  # ~1 s idle; a quadratic rule would take minutes
    assert out.startswith("Tốc độ tăng trưởng kinh tế đạt 7,5% trở lên; Tốc độ")
    assert "<i>" not in out and "**" not in out


# --- pages ----------------------------------------------------------------------------------------------
def test_a_sentence_broken_across_pages_moves_onto_its_first_page() -> None:
    pages = [
        Page("1. Chỉ tiêu kinh tế\nTổng vốn đầu tư toàn xã hội tăng 10% so với năm trước, trong đó vốn ngoài\n"
             "ngân sách chiếm tỷ trọng ngày càng", 1),
        Page("lớn. Tỷ lệ hộ nghèo giảm 1% trở lên.\n2. Chỉ tiêu xã hội", 2),
    ]
    out = repair_pages(pages)
    assert [p.page for p in out] == [1, 2]
    assert out[0].text.endswith("vốn ngoài ngân sách chiếm tỷ trọng ngày càng lớn.")
    assert out[1].text == "Tỷ lệ hộ nghèo giảm 1% trở lên.\n2. Chỉ tiêu xã hội"


def test_page_numbers_and_running_headers_are_dropped_and_empty_pages_skipped() -> None:
    bodies = [
        "Tiếp tục thực hiện có hiệu quả các chương trình mục tiêu quốc gia.",
        "Tỷ lệ hộ nghèo giảm 1,5% so với năm trước.",
        "Kim ngạch xuất khẩu đạt 780 triệu USD.",
        "Tổng thu ngân sách đạt 11.540 tỷ đồng.",
        "Xây dựng 382 km đường giao thông nông thôn.",
    ]
    pages = [Page(f"BÁO CÁO CHÍNH TRỊ TỈNH HẬU GIANG\n{body}\n- {n} -", n) for n, body in enumerate(bodies, 1)]
    pages.append(Page("  \n", 6))
    out = repair_pages(pages)
    assert [p.page for p in out] == [1, 2, 3, 4, 5]
    assert [p.text for p in out] == bodies


def test_table_header_repeated_on_each_page_is_kept() -> None:
    header = "Số TT\tCHỈ TIÊU\tĐƠN VỊ TÍNH\tNĂM 2020"
    pages = [Page(f"{header}\n{n}\tChỉ tiêu {n}\t%\t{n}0", n) for n in range(1, 5)]
    assert [p.text.split("\n")[0] for p in repair_pages(pages)] == [header] * 4
