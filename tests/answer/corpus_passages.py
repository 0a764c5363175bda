"""Passages built by hand from sentences of the bundled corpus, so answer tests do not depend on the chunker.

Headings, table renderings and metadata follow what ingestion produces (heading paths, "HEAD — Header:
value · …" table rows with their parent row in the context).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ingest.models import Chunk, ChunkKind, DocumentMeta
from retrieval.models import Passage


def meta(
    source: str,
    province: str | None,
    title: str,
    *,
    years: tuple[int, ...],
    plan: tuple[int, ...] = (),
    report: tuple[int, ...] = (),
    signer: str | None = None,
) -> DocumentMeta:
    return DocumentMeta(
        source=source,
        title=title,
        province=province,
        years=years,
        plan_years=plan,
        report_years=report,
        doc_type="nghị quyết",
        signer=signer,
        content_hash=hashlib.sha256(source.encode()).hexdigest(),
    )


TV = meta(
    "tra-vinh-tuyen-truyen-2020-2021.txt",
    "Trà Vinh",
    "TÀI LIỆU TUYÊN TRUYỀN KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020 CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021",
    years=(2020, 2021),
    plan=(2021,),
    report=(2020,),
)
ST = meta(
    "soc-trang-nq-nhiem-vu-2020.txt",
    "Sóc Trăng",
    "NGHỊ QUYẾT CỦA BAN CHẤP HÀNH ĐẢNG BỘ TỈNH về mục tiêu, phương hướng, nhiệm vụ phát triển kinh tế - xã hội năm 2020",
    years=(2019, 2020),
    plan=(2020,),
    report=(2019,),
    signer="Phan Văn Sáu",
)
LS = meta(
    "lang-son-nq-100-nhiem-vu-2020.txt",
    "Lạng Sơn",
    "Nghị quyết Hội nghị lần thứ 18 Ban Chấp hành Đảng bộ tỉnh khoá XVI về nhiệm vụ năm 2020",
    years=(2020,),
    plan=(2020,),
    signer="Lâm Thị Phương Thanh",
)
KG = meta(
    "kien-giang-nq-27-nhiem-vu-2020.txt",
    "Kiên Giang",
    "Nghị quyết của Tỉnh ủy về nhiệm vụ năm 2020",
    years=(2019, 2020),
    plan=(2020,),
)

TV_A = ("A. KẾT QUẢ THỰC HIỆN NHIỆM VỤ NĂM 2020", "I- KẾT QUẢ ĐẠT ĐƯỢC")
TV_B = ("B. CÁC CHỈ TIÊU, NHIỆM VỤ GIẢI PHÁP CHỦ YẾU NĂM 2021", "I. CÁC CHỈ TIÊU CHỦ YẾU")
ST_APPENDIX = ("PHỤ LỤC CHỈ TIÊU NGHỊ QUYẾT NĂM 2020",)

# (document, heading path, kind, text, context)
ITEMS: list[tuple[DocumentMeta, tuple[str, ...], ChunkKind, str, str]] = [
    (TV, (*TV_B, "2. Chỉ tiêu kinh tế"), "indicator", "Tốc độ tăng trưởng GRDP từ 11% trở lên so với năm 2020.", ""),
    (TV, (*TV_B, "2. Chỉ tiêu kinh tế"), "indicator", "GRDP bình quân đầu người đạt 69 triệu đồng.", ""),
    (TV, (*TV_B, "2. Chỉ tiêu kinh tế"), "indicator", "Tỷ lệ đô thị hóa đạt 30,2%.", ""),
    (TV, (*TV_B, "1. Chỉ tiêu xây dựng Đảng và hệ thống chính trị"), "indicator", "Kết nạp 1.100 - 1.200 đảng viên.", ""),
    (
        TV,
        (*TV_A, "4. Lĩnh vực kinh tế"),
        "list_item",
        "Tập trung thực hiện tốt nhiệm vụ kép vừa phòng, chống dịch Covid-19 và hạn, mặn, vừa đẩy mạnh sản xuất, "
        "kinh doanh. Tốc độ tăng trưởng GRDP đạt 3,32% (Nghị quyết tăng 11% trở lên). Quy mô nền kinh tế đạt "
        "63.767 tỷ đồng. Cơ cấu kinh tế có bước chuyển dịch và vượt chỉ tiêu Nghị quyết. GRDP bình quân đầu người "
        "đạt 63,14 triệu đồng/người, đạt 97% kế hoạch.",
        "",
    ),
    (
        TV,
        (*TV_A, "1. Lãnh đạo thực hiện 06 nhiệm vụ tập trung, 03 nhiệm vụ đột phá"),
        "list_item",
        "Tiếp tục chỉ đạo các địa phương, đơn vị thực hiện chỉnh trang, quản lý trật tự đô thị gắn với xây dựng "
        "cảnh quan, BVMT. Thị trấn Tiểu Cần (mở rộng) được công nhận đạt tiêu chí đô thị loại IV; tỷ lệ đô thị "
        "hóa đạt 29,52% (Nghị quyết 30%); toàn tỉnh có 12 đô thị.",
        "",
    ),
    (
        TV,
        (*TV_A, "4. Lĩnh vực kinh tế"),
        "list_item",
        "Thực hiện tốt công tác thủy lợi nội đồng, chủ động trong công tác phòng, chống thiên tai. Tập trung chỉ "
        "đạo công tác lâm nghiệp, tỷ lệ che phủ rừng đạt 4,012% (Nghị quyết 4,6%).",
        "",
    ),
    (ST, ("II- CHỈ TIÊU",), "indicator", "(1) Tốc độ tăng trưởng kinh tế từ 7,5% trở lên.", ""),
    (ST, ("II- CHỈ TIÊU",), "indicator", "(4) Sản lượng lúa đạt trên 2 triệu tấn/năm; trong đó, sản lượng lúa đặc sản chiếm trên 52%.", ""),
    (ST, ("II- CHỈ TIÊU",), "indicator", "(21) Phát triển đảng viên mới từ 1.300 đảng viên trở lên.", ""),
    (
        ST,
        ST_APPENDIX,
        "table_row",
        "4. Sản lượng lúa (Triệu tấn) — Nghị quyết năm 2019: 2 · Thực hiện năm 2019: 2,17 · Nghị quyết năm 2020: 2 · "
        "Nghị quyết 2020/ thực hiện 2019: 92,17",
        "",
    ),
    (
        ST,
        ST_APPENDIX,
        "table_row",
        "Trong đó: Tỷ lệ lúa đặc sản chiếm (%) — Nghị quyết năm 2019: 52 · Thực hiện năm 2019: 49,4 · "
        "Nghị quyết năm 2020: 52 · Nghị quyết 2020/ thực hiện 2019: 109,31",
        "4. Sản lượng lúa (Triệu tấn)",
    ),
    (
        ST,
        ST_APPENDIX,
        "table_row",
        "9. Giá trị xuất khẩu hàng hóa (Triệu USD) — Nghị quyết năm 2019: 820 · Thực hiện năm 2019: 830 · "
        "Nghị quyết năm 2020: 900 · Nghị quyết 2020/ thực hiện 2019: 108,43",
        "",
    ),
    (ST, ("IV- TỔ CHỨC THỰC HIỆN",), "paragraph", "Phan Văn Sáu", ""),
    (LS, ("II- CÁC CHỈ TIÊU CHỦ YẾU", "1- Các chỉ tiêu kinh tế:"), "list_item",
     "Tốc độ tăng trưởng kinh tế 8,5 – 9%; trong đó: Nông lâm nghiệp 3 – 3,5%; công nghiệp – xây dựng 10 – 11%; "
     "dịch vụ 9 – 10%; thuế sản phẩm trừ trợ cấp sản phẩm 8 – 9%.", ""),
    (LS, ("II- CÁC CHỈ TIÊU CHỦ YẾU", "1- Các chỉ tiêu kinh tế:"), "list_item",
     "Tổng thu ngân sách nhà nước trên địa bàn 6.150,1 tỷ đồng. Tổng chi ngân sách địa phương 11.728,3 tỷ đồng.", ""),
    (LS, ("II- CÁC CHỈ TIÊU CHỦ YẾU", "3- Các chỉ tiêu môi trường:"), "list_item",
     "Trồng mới 9.000 ha rừng, tỷ lệ che phủ rừng đạt 63%.", ""),
    (LS, ("II- CÁC CHỈ TIÊU CHỦ YẾU", "4- Các chỉ tiêu về xây dựng Đảng và hệ thống chính trị:"), "list_item",
     "Kết nạp mới 2.000 đảng viên trở lên.", ""),
    (LS, ("IV- TỔ CHỨC THỰC HIỆN",), "paragraph", "T/M TỈNH UỶ\n\nBÍ THƯ\n\nLâm Thị Phương Thanh", ""),
    (KG, (), "paragraph", "Tăng trưởng kinh tế đạt 7,23%, thu nhập bình quân đầu người 2.458 USD (theo giá hiện hành).", ""),
    (KG, (), "paragraph", "Tổng thu ngân sách 11.540 tỷ đồng, tổng chi ngân sách 16.486 tỷ đồng.", ""),
    (KG, (), "paragraph",
     "Tỷ lệ tổ chức cơ sở đảng đạt trong sạch, vững mạnh, bảo đảm theo hướng dẫn của Trung ương; phấn đấu kết "
     "nạp 3.000 đảng viên; tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trên 85%.", ""),
]


def chunks(items: Sequence[tuple[DocumentMeta, tuple[str, ...], ChunkKind, str, str]] = ITEMS) -> list[Chunk]:
    out = []
    for seq, (doc, heading, kind, text, context) in enumerate(items):
        out.append(
            Chunk(text=text, source=doc.source, heading_path=heading, page=None, kind=kind, seq=seq, doc=doc, context=context)
        )
    return out


ALL = chunks()
AVAILABLE = {"Trà Vinh": (2020, 2021), "Sóc Trăng": (2019, 2020), "Lạng Sơn": (2020,), "Kiên Giang": (2019, 2020)}


def find(fragment: str) -> Chunk:
    return next(c for c in ALL if fragment in c.text)


def passages(*fragments: str) -> list[Passage]:
    """Passages for the chunks containing `fragments`, ranked in the given order."""
    return [Passage(chunk=find(f), score=1.0 - i * 0.05) for i, f in enumerate(fragments)]


def by_doc(*docs: DocumentMeta) -> list[Passage]:
    return [Passage(chunk=c, score=1.0 - i * 0.01) for i, c in enumerate(c for c in ALL if c.doc in docs)]
