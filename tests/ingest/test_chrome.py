"""Web-page chrome on pages saved from a browser: menus, buttons, related links, counters, cookie notices,
copyright and contact footers go; the article, and lines that only look like chrome, stay.

The pages are written here the way "Save as text" or a copy from the browser leaves them, then go through
the real loader and repair, like any file a user ingests.
"""

from __future__ import annotations

from pathlib import Path

from core.config import Settings
from ingest.loaders import load_pages
from ingest.repair import repair_pages

ARTICLE = [
    "Kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2023",
    "(09:15 | 28/12/2023)",
    "Năm 2023, tốc độ tăng trưởng tổng sản phẩm trên địa bàn tỉnh (GRDP) ước đạt 6,2%; thu ngân sách nhà nước "
    "đạt 21.000 tỷ đồng, vượt 8% dự toán.",
    "Tổng số: 1.250 hộ thoát nghèo trong năm, tỷ lệ hộ nghèo giảm còn 2,1%.",
    "Năm 2024, tỉnh phấn đấu tốc độ tăng trưởng GRDP từ 8,5% trở lên.",
]

PORTAL_PAGE = [
    "Cổng thông tin điện tử tỉnh Nghệ An",
    "Trang chủ | Giới thiệu | Tin tức - Sự kiện | Văn bản | Liên hệ",
    "Tìm kiếm",
    "Trang chủ » Tin tức » Kinh tế",
    *ARTICLE,
    "Chia sẻ: Facebook | Zalo | In bài viết",
    "Tin liên quan",
    "Nghệ An: Tổng kết công tác năm 2023 của ngành nông nghiệp (27/12/2023)",
    "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 25 (20/12/2023)",
    "Khai mạc kỳ họp thứ 17 Hội đồng nhân dân tỉnh khóa XVIII",
    "Bản quyền thuộc Ủy ban nhân dân tỉnh Nghệ An",
    "Cơ quan chủ quản: Ủy ban nhân dân tỉnh Nghệ An",
    "Chịu trách nhiệm chính: Chánh Văn phòng Ủy ban nhân dân tỉnh",
    "Địa chỉ: Số 03 đường Trường Thi, thành phố Vinh, tỉnh Nghệ An",
    "Điện thoại: (0238) 3 844 500 - Fax: (0238) 3 844 501",
    "congthongtin@nghean.gov.vn",
    "Giấy phép số 34/GP-TTĐT do Sở Thông tin và Truyền thông cấp ngày 12/3/2019",
    "Lượt truy cập: 12.345.678",
    "Hôm nay: 4.321",
    "Trang web sử dụng cookie để nâng cao trải nghiệm của bạn. Tiếp tục truy cập nghĩa là bạn đồng ý.",
    "Đồng ý",
]

NEWS_PAGE = [
    "ĐẢNG BỘ TỈNH THANH HÓA",
    "Thời sự · Chính trị · Kinh tế · Xã hội · Văn hóa",
    "Đăng nhập / Đăng ký",
    "Xem với cỡ chữ A- A A+",
    *ARTICLE,
    "Từ khóa: kinh tế, ngân sách, giảm nghèo",
    "In | Gửi email | Chia sẻ",
    "Bình luận (0)",
    "Xem thêm",
    "- Thanh Hóa tổ chức Hội nghị tổng kết năm 2023",
    "- Phát động phong trào thi đua năm 2024 (05/01/2024)",
    "Về đầu trang",
    "ĐẢNG BỘ TỈNH THANH HÓA",
    "Thời sự · Chính trị · Kinh tế · Xã hội · Văn hóa",
    "© 2024 Đảng bộ tỉnh Thanh Hóa. Giữ bản quyền nội dung.",
    "Thiết kế và phát triển bởi Trung tâm Công nghệ thông tin",
    "www.thanhhoa.dcs.vn",
]

# A resolution whose lines only look like chrome: every one of them is content and stays.
RESOLUTION = [
    "NGHỊ QUYẾT",
    "về nhiệm vụ phát triển kinh tế - xã hội năm 2024",
    "1. Các chỉ tiêu chủ yếu",
    "| Chỉ tiêu | Năm 2023 | Năm 2024 |",
    "| Tăng trưởng GRDP (%) | 6,2 | 8,5 |",
    "Nông nghiệp - Công nghiệp - Dịch vụ phát triển hài hòa, đúng hướng.",
    "Địa chỉ: xã Tân Ngại, huyện Châu Thành là nơi triển khai mô hình điểm.",
    "Hôm nay: 12 xã đạt chuẩn nông thôn mới nâng cao.",
    "2. Tổ chức thực hiện",
    "Giao Ban Thường vụ Tỉnh ủy chỉ đạo, hướng dẫn, kiểm tra việc thực hiện Nghị quyết.",
    "Nơi nhận:",
    "- Ban Bí thư Trung ương Đảng,",
    "- Lưu Văn phòng Tỉnh ủy.",
    "T/M TỈNH ỦY",
    "BÍ THƯ",
    "Nguyễn Văn An",
]


def repaired_lines(tmp_path: Path, name: str, lines: list[str]) -> list[str]:
    path = tmp_path / name
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    pages = repair_pages(load_pages(path, Settings()))
    return [line for page in pages for line in page.text.split("\n") if line]


def test_a_portal_page_keeps_only_its_article(tmp_path: Path) -> None:
    assert repaired_lines(tmp_path, "cong-thong-tin.txt", PORTAL_PAGE) == ARTICLE


def test_a_news_page_keeps_only_its_article(tmp_path: Path) -> None:
    assert repaired_lines(tmp_path, "bao-dien-tu.txt", NEWS_PAGE) == ARTICLE


def test_the_same_page_without_blank_lines_loses_the_same_chrome(tmp_path: Path) -> None:
    path = tmp_path / "dan-lien.txt"
    path.write_text("\n".join(PORTAL_PAGE) + "\n", encoding="utf-8")
    text = "\n".join(page.text for page in repair_pages(load_pages(path, Settings())))
    for chrome in ("Trang chủ", "Liên hệ", "Chia sẻ", "Tin liên quan", "Bản quyền", "Lượt truy cập", "cookie", "Đồng ý",
                   "Giấy phép", "Hội nghị Ban Chấp hành"):
        assert chrome not in text, chrome
    for line in ARTICLE[2:]:
        assert line in text


def test_lines_that_only_look_like_chrome_stay(tmp_path: Path) -> None:
    assert repaired_lines(tmp_path, "nghi-quyet.txt", RESOLUTION) == RESOLUTION


def test_a_menu_needs_three_short_labels_and_no_figures(tmp_path: Path) -> None:
    lines = [
        "Báo cáo kết quả năm 2023",
        "Kinh tế | Xã hội",  # two labels: may be a heading pair, kept
        "Tăng trưởng 6,2% | Thu ngân sách 21.000 tỷ | Giảm nghèo 1,1%",  # figures: content
        "Tin tức | Sự kiện | Thông báo | Liên hệ",
        "Năm 2023 tỉnh hoàn thành 25/26 chỉ tiêu chủ yếu.",
    ]
    assert repaired_lines(tmp_path, "menu.txt", lines) == [lines[0], lines[1], lines[2], lines[4]]
