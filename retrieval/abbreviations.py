"""Genre vocabulary for query expansion: abbreviations (both directions), synonyms, an English glossary.

Provincial resolutions and reports abbreviate heavily and inconsistently ("BHXH" in one document,
"bảo hiểm xã hội" in the next); officials ask either way. The lists below are the standard
abbreviations of Vietnamese party/state administrative writing (collected from the bundled corpus's
upper-case tokens and from common usage), plus paraphrases and English terms for the indicators these
documents report. They describe the genre, not any one document.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.vietnamese import fold_diacritics, index_key

# abbreviation → full form(s). Keys are written as they appear in documents.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "NTM": ("nông thôn mới",),
    "MTQGXDNTM": ("mục tiêu quốc gia xây dựng nông thôn mới",),
    "GRDP": ("tổng sản phẩm trên địa bàn",),
    "GDP": ("tổng sản phẩm quốc nội",),
    "BHYT": ("bảo hiểm y tế",),
    "BHXH": ("bảo hiểm xã hội",),
    "BHTN": ("bảo hiểm thất nghiệp",),
    "TCCS": ("tổ chức cơ sở",),
    "TCCSĐ": ("tổ chức cơ sở đảng",),
    "CCHC": ("cải cách hành chính",),
    "TTHC": ("thủ tục hành chính",),
    "HTX": ("hợp tác xã",),
    "THT": ("tổ hợp tác",),
    "DN": ("doanh nghiệp",),
    "HTDN": ("hỗ trợ doanh nghiệp",),
    "HKD": ("hộ kinh doanh",),
    "KT-XH": ("kinh tế - xã hội",),
    "VH-XH": ("văn hóa - xã hội",),
    "QP-AN": ("quốc phòng - an ninh",),
    "QPAN": ("quốc phòng an ninh",),
    "ANCT": ("an ninh chính trị",),
    "TTATXH": ("trật tự an toàn xã hội",),
    "BTVTU": ("Ban Thường vụ Tỉnh ủy",),
    "BTV": ("Ban Thường vụ",),
    "BCH": ("Ban Chấp hành",),
    "BCT": ("Bộ Chính trị",),
    "BBT": ("Ban Bí thư",),
    "TW": ("Trung ương",),
    "NQ": ("nghị quyết",),
    "NQTW": ("nghị quyết Trung ương",),
    "NQĐH": ("nghị quyết đại hội",),
    "ĐHĐB": ("đại hội đại biểu",),
    "CT": ("chỉ thị",),
    "KH": ("kế hoạch",),
    "ATGT": ("an toàn giao thông",),
    "TNGT": ("tai nạn giao thông",),
    "PTGT": ("phương tiện giao thông",),
    "NSNN": ("ngân sách nhà nước",),
    "NS": ("ngân sách", "năng suất"),
    "HĐND": ("Hội đồng nhân dân",),
    "UBND": ("Ủy ban nhân dân",),
    "MTTQ": ("Mặt trận Tổ quốc",),
    "UBMTTQ": ("Ủy ban Mặt trận Tổ quốc",),
    "CT-XH": ("chính trị - xã hội",),
    "HTCT": ("hệ thống chính trị",),
    "XD HTCT": ("xây dựng hệ thống chính trị",),
    "THPT": ("trung học phổ thông",),
    "THCS": ("trung học cơ sở",),
    "TH": ("tiểu học",),
    "GDPT": ("giáo dục phổ thông",),
    "GDNN": ("giáo dục nghề nghiệp",),
    "GDĐH": ("giáo dục đại học",),
    "GD-ĐT": ("giáo dục và đào tạo",),
    "GDĐT": ("giáo dục và đào tạo",),
    "GDQP": ("giáo dục quốc phòng",),
    "PCGD": ("phổ cập giáo dục",),
    "XMC": ("xóa mù chữ",),
    "XHHT": ("xã hội học tập",),
    "CBQLGD": ("cán bộ quản lý giáo dục",),
    "KCN": ("khu công nghiệp",),
    "CCN": ("cụm công nghiệp",),
    "KKT": ("khu kinh tế",),
    "CNH-HĐH": ("công nghiệp hóa, hiện đại hóa",),
    "CNH": ("công nghiệp hóa",),
    "HĐH": ("hiện đại hóa",),
    "KHCN": ("khoa học và công nghệ", "khoa học công nghệ"),
    "KH-CN": ("khoa học - công nghệ",),
    "KH-KT": ("khoa học - kỹ thuật",),
    "KHKT": ("khoa học kỹ thuật",),
    "ĐMST": ("đổi mới sáng tạo",),
    "CNTT": ("công nghệ thông tin",),
    "CNC": ("công nghệ cao",),
    "BVMT": ("bảo vệ môi trường",),
    "BĐKH": ("biến đổi khí hậu",),
    "TN-MT": ("tài nguyên và môi trường",),
    "TNMT": ("tài nguyên và môi trường",),
    "FDI": ("đầu tư trực tiếp nước ngoài", "vốn đầu tư trực tiếp nước ngoài"),
    "ODA": ("hỗ trợ phát triển chính thức", "vốn hỗ trợ phát triển chính thức"),
    "PPP": ("đối tác công tư",),
    "XTĐT": ("xúc tiến đầu tư",),
    "XTTM": ("xúc tiến thương mại",),
    "QLTT": ("quản lý thị trường",),
    "QLNN": ("quản lý nhà nước",),
    "HCNN": ("hành chính nhà nước",),
    "BMNN": ("bộ máy nhà nước",),
    "CQĐT": ("chính quyền điện tử",),
    "DVC": ("dịch vụ công",),
    "CCKT": ("cơ cấu kinh tế",),
    "CCNN": ("cơ cấu ngành nông nghiệp",),
    "SXNN": ("sản xuất nông nghiệp",),
    "SXCN": ("sản xuất công nghiệp",),
    "CN": ("công nghiệp", "công nghệ"),
    "TTCN": ("tiểu thủ công nghiệp",),
    "NTTS": ("nuôi trồng thủy sản",),
    "ATSH": ("an toàn sinh học",),
    "LMLM": ("lở mồm long móng",),
    "VSATTP": ("vệ sinh an toàn thực phẩm",),
    "ATVSTP": ("an toàn vệ sinh thực phẩm",),
    "CSSK": ("chăm sóc sức khỏe",),
    "SDD": ("suy dinh dưỡng",),
    "KHHGĐ": ("kế hoạch hóa gia đình",),
    "ASXH": ("an sinh xã hội",),
    "NCC": ("người có công",),
    "LĐ-TB&XH": ("lao động - thương binh và xã hội",),
    "DTTS": ("dân tộc thiểu số",),
    "TN": ("tín ngưỡng",),
    "TG": ("tôn giáo",),
    "QCDC": ("quy chế dân chủ",),
    "PTTĐ": ("phong trào thi đua",),
    "DLXH": ("dư luận xã hội",),
    "NLLĐ": ("năng lực lãnh đạo",),
    "KT, GS": ("kiểm tra, giám sát",),
    "UBKT": ("Ủy ban Kiểm tra",),
    "ĐBQH": ("đại biểu Quốc hội",),
    "CCTP": ("cải cách tư pháp",),
    "VKSND": ("Viện kiểm sát nhân dân",),
    "TAND": ("Tòa án nhân dân",),
    "THADS": ("thi hành án dân sự",),
    "THA": ("thi hành án",),
    "VPHC": ("vi phạm hành chính",),
    "BĐBP": ("Bộ đội Biên phòng",),
    "LLVT": ("lực lượng vũ trang",),
    "ANND": ("an ninh nhân dân",),
    "HNQT": ("hội nhập quốc tế",),
    "QHHT": ("quan hệ hợp tác",),
    "ĐBSCL": ("đồng bằng sông Cửu Long",),
    "GPMB": ("giải phóng mặt bằng",),
    "CSDL": ("cơ sở dữ liệu",),
    "QSD": ("quyền sử dụng",),
    "GCN": ("giấy chứng nhận",),
    "TC-TD": ("tài chính - tín dụng",),
    "BC-XB": ("báo chí - xuất bản",),
    "TD, TT": ("thể dục, thể thao",),
    "TDTT": ("thể dục thể thao",),
    "OCOP": ("mỗi xã một sản phẩm",),
    "PCI": ("chỉ số năng lực cạnh tranh cấp tỉnh",),
    "PAPI": ("chỉ số hiệu quả quản trị và hành chính công cấp tỉnh",),
    "PAR INDEX": ("chỉ số cải cách hành chính",),
    "SIPAS": ("chỉ số hài lòng về sự phục vụ hành chính",),
    "CPI": ("chỉ số giá tiêu dùng",),
}

# Paraphrases officials use for the same indicator; each group is matched in both directions.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("thóc", "lúa"),
    ("thu hoạch", "sản lượng"),
    ("sản lượng thóc", "sản lượng lúa"),
    # "GRDP tăng 11%" says what "tăng trưởng GRDP 11%" says.
    ("tăng trưởng kinh tế", "tăng trưởng grdp", "tăng trưởng tổng sản phẩm", "grdp tăng", "tăng grdp"),
    # Per-capita output and per-capita income are two indicators; each has its own spellings.
    ("grdp bình quân đầu người", "tổng sản phẩm bình quân đầu người", "gdp bình quân đầu người", "grdp/người",
     "gdp/người", "grdp bình quân/người"),
    ("thu nhập bình quân đầu người", "thu nhập bình quân"),
    ("kết nạp đảng viên", "phát triển đảng viên mới", "kết nạp mới"),
    ("đảng viên mới", "kết nạp"),
    ("che phủ rừng", "độ che phủ rừng"),
    ("hộ nghèo", "giảm nghèo"),
    ("xuất khẩu", "kim ngạch xuất khẩu", "giá trị xuất khẩu"),
    ("thu ngân sách", "thu ngân sách nhà nước"),
    ("chi ngân sách", "chi ngân sách địa phương"),
    ("vốn đầu tư toàn xã hội", "vốn đầu tư phát triển toàn xã hội", "huy động vốn đầu tư"),
    ("nước sạch", "nước hợp vệ sinh", "nước sinh hoạt hợp vệ sinh"),
    ("rác thải", "chất thải rắn"),
    ("trường chuẩn quốc gia", "trường đạt chuẩn quốc gia"),
    ("lao động qua đào tạo", "lao động đã qua đào tạo"),
    ("việc làm mới", "giải quyết việc làm", "tạo việc làm"),
    ("thất nghiệp", "tỷ lệ thất nghiệp"),
    ("suy dinh dưỡng", "sdd"),
    ("giường bệnh", "giường bệnh trên vạn dân", "giường bệnh/vạn dân"),
    ("bác sĩ", "bác sỹ"),
    ("doanh nghiệp thành lập mới", "phát triển mới doanh nghiệp", "doanh nghiệp mới"),
    ("bán lẻ", "tổng mức bán lẻ hàng hóa"),
    ("thủy sản", "thủy, hải sản", "khai thác và nuôi trồng"),
    ("đô thị hóa", "tỷ lệ đô thị hóa"),
    ("tham gia bảo hiểm y tế", "bao phủ bảo hiểm y tế"),
    ("lương thực", "sản lượng lương thực"),
)

# English words and phrases of the genre → Vietnamese (questions in English still find Vietnamese text).
ENGLISH: dict[str, tuple[str, ...]] = {
    "growth rate": ("tốc độ tăng trưởng",),
    "economic growth": ("tăng trưởng kinh tế", "tăng trưởng grdp"),
    "growth": ("tăng trưởng",),
    "gdp": ("grdp", "tổng sản phẩm"),
    "grdp": ("grdp",),
    "per capita": ("bình quân đầu người",),
    "income": ("thu nhập",),
    "health insurance": ("bảo hiểm y tế",),
    "social insurance": ("bảo hiểm xã hội",),
    "unemployment insurance": ("bảo hiểm thất nghiệp",),
    "unemployment": ("thất nghiệp",),
    "target": ("chỉ tiêu", "mục tiêu"),
    "targets": ("chỉ tiêu", "mục tiêu"),
    "goal": ("mục tiêu",),
    "plan": ("kế hoạch",),
    "planned": ("kế hoạch", "chỉ tiêu"),
    "achieved": ("đạt", "kết quả", "thực hiện"),
    "result": ("kết quả",),
    "results": ("kết quả",),
    "actual": ("thực hiện",),
    "rice output": ("sản lượng lúa",),
    "rice production": ("sản lượng lúa",),
    "rice": ("lúa",),
    "paddy": ("lúa", "thóc"),
    "food output": ("sản lượng lương thực",),
    "food": ("lương thực",),
    "output": ("sản lượng",),
    "production": ("sản lượng", "sản xuất"),
    "poverty rate": ("tỷ lệ hộ nghèo",),
    "poor households": ("hộ nghèo",),
    "poverty": ("hộ nghèo", "giảm nghèo"),
    "near-poor": ("hộ cận nghèo",),
    "forest cover": ("tỷ lệ che phủ rừng",),
    "forest": ("rừng",),
    "new rural": ("nông thôn mới",),
    "new-style rural": ("nông thôn mới",),
    "rural": ("nông thôn",),
    "urban": ("đô thị", "thành thị"),
    "urbanization": ("đô thị hóa",),
    "urbanisation": ("đô thị hóa",),
    "export": ("xuất khẩu",),
    "exports": ("xuất khẩu",),
    "import": ("nhập khẩu",),
    "budget revenue": ("thu ngân sách",),
    "state budget": ("ngân sách nhà nước",),
    "budget spending": ("chi ngân sách",),
    "budget expenditure": ("chi ngân sách",),
    "revenue": ("thu",),
    "budget": ("ngân sách",),
    "investment": ("vốn đầu tư",),
    "total investment": ("tổng vốn đầu tư toàn xã hội",),
    "enterprises": ("doanh nghiệp",),
    "enterprise": ("doanh nghiệp",),
    "businesses": ("doanh nghiệp",),
    "companies": ("doanh nghiệp",),
    "cooperatives": ("hợp tác xã",),
    "cooperative": ("hợp tác xã",),
    "party members": ("đảng viên",),
    "party member": ("đảng viên",),
    "admit": ("kết nạp",),
    "new members": ("đảng viên mới", "kết nạp"),
    "grassroots party": ("tổ chức cơ sở đảng",),
    "trained workers": ("lao động qua đào tạo",),
    "trained labour": ("lao động qua đào tạo",),
    "trained labor": ("lao động qua đào tạo",),
    "vocational training": ("đào tạo nghề",),
    "jobs": ("việc làm",),
    "employment": ("việc làm",),
    "labour": ("lao động",),
    "labor": ("lao động",),
    "workers": ("lao động",),
    "clean water": ("nước sạch",),
    "water": ("nước",),
    "waste": ("chất thải", "rác thải"),
    "solid waste": ("chất thải rắn",),
    "hospital beds": ("giường bệnh",),
    "doctors": ("bác sĩ",),
    "malnutrition": ("suy dinh dưỡng",),
    "schools": ("trường",),
    "national standard": ("chuẩn quốc gia",),
    "students": ("học sinh", "sinh viên"),
    "electricity": ("điện",),
    "seafood": ("thủy sản",),
    "aquaculture": ("nuôi trồng thủy sản",),
    "fisheries": ("thủy sản",),
    "fishery": ("thủy sản",),
    "shrimp": ("tôm",),
    "industrial production": ("giá trị sản xuất công nghiệp",),
    "industry": ("công nghiệp",),
    "industrial": ("công nghiệp",),
    "retail": ("bán lẻ",),
    "tourism": ("du lịch",),
    "tourists": ("khách du lịch",),
    "economic structure": ("cơ cấu kinh tế",),
    "agriculture": ("nông nghiệp",),
    "services": ("dịch vụ",),
    "population": ("dân số",),
    "traffic accidents": ("tai nạn giao thông",),
    "security": ("an ninh",),
    "defence": ("quốc phòng",),
    "defense": ("quốc phòng",),
    "administrative reform": ("cải cách hành chính",),
    "province": ("tỉnh",),
    "provincial": ("tỉnh",),
    "resolution": ("nghị quyết",),
    "year": ("năm",),
    "term": ("nhiệm kỳ",),
    "compare": ("so sánh",),
    "rate": ("tỷ lệ",),
    "percentage": ("tỷ lệ",),
    "share": ("tỷ trọng",),
    "average": ("bình quân",),
    "increase": ("tăng",),
    "reduce": ("giảm",),
    "reduction": ("giảm",),
}

_SPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACE.sub(" ", index_key(text)).strip()


def _pattern(phrase_key: str, *, folded: bool) -> re.Pattern[str]:
    body = re.escape(fold_diacritics(phrase_key) if folded else phrase_key).replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![\w]){body}(?![\w])", re.UNICODE)


@lru_cache(maxsize=1)
def _entries() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str], tuple[str, ...]], ...]:
    """(phrase, exact pattern, folded pattern, what it expands to) for every direction of every entry."""
    pairs: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        ka, kb = _key(a), _key(b)
        if ka != kb:
            pairs.setdefault(ka, set()).add(kb)

    for abbr, fulls in ABBREVIATIONS.items():
        for full in fulls:
            link(abbr, full)
            # Two-letter abbreviations are ambiguous across documents (NS = ngân sách or năng suất,
            # CN = công nghiệp or công nghệ): read them when asked, never add them to a question.
            if len(fulls) == 1 and sum(ch.isalpha() for ch in abbr) > 2:
                link(full, abbr)
    for group in SYNONYMS:
        for a in group:
            for b in group:
                link(a, b)
    out = []
    for phrase, targets in pairs.items():
        out.append((phrase, _pattern(phrase, folded=False), _pattern(phrase, folded=True), tuple(sorted(targets))))
    # Longer phrases first, so "bảo hiểm xã hội" wins over any shorter entry inside it.
    out.sort(key=lambda e: -len(e[0]))
    return tuple(out)


def expand(question: str, *, folded: bool = False) -> tuple[str, ...]:
    """Abbreviations and synonyms of phrases in the question, in both directions (BHYT ↔ bảo hiểm y tế).

    With `folded`, the question was typed without accents and is matched against folded phrases.
    """
    key = _key(question)
    text = fold_diacritics(key) if folded else key
    found: list[str] = []
    for phrase, exact, loose, targets in _entries():
        pattern = loose if folded else exact
        if pattern.search(text):
            for target in targets:
                if target not in found and _key(target) not in key:
                    found.append(target)
    return tuple(found)


def _english_pattern(phrase: str) -> re.Pattern[str]:
    body = r"[\s-]+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


_ENGLISH_PATTERNS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (_english_pattern(en), vi) for en, vi in sorted(ENGLISH.items(), key=lambda kv: -len(kv[0]))
)


def translate_english(question: str) -> tuple[str, ...]:
    """Vietnamese terms for the English genre words in a question (longest phrases first, no overlaps)."""
    text = question
    found: list[str] = []
    for pattern, vietnamese in _ENGLISH_PATTERNS:
        if pattern.search(text):
            text = pattern.sub(" ", text)  # "growth rate" consumes "growth" so it is not translated twice
            for term in vietnamese:
                if term not in found:
                    found.append(term)
    return tuple(found)
