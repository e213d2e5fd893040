"""Demo figures: Hà Tĩnh's 13 district-level units and three years of illustrative results.

Only the units, and Vũ Quang's 2022 result (89.30, 12th of 13, and the reasons it lost points:
vu-quang-report-2023.txt), are real. Every other figure is invented to look like a real year.
"""

import datetime as dt
from decimal import Decimal as D

UNITS = [
    ("tp-ha-tinh", "Thành phố Hà Tĩnh", "thanh_pho"),
    ("tx-hong-linh", "Thị xã Hồng Lĩnh", "thi_xa"),
    ("tx-ky-anh", "Thị xã Kỳ Anh", "thi_xa"),
    ("huong-son", "Huyện Hương Sơn", "huyen"),
    ("duc-tho", "Huyện Đức Thọ", "huyen"),
    ("vu-quang", "Huyện Vũ Quang", "huyen"),
    ("nghi-xuan", "Huyện Nghi Xuân", "huyen"),
    ("can-loc", "Huyện Can Lộc", "huyen"),
    ("huong-khe", "Huyện Hương Khê", "huyen"),
    ("thach-ha", "Huyện Thạch Hà", "huyen"),
    ("cam-xuyen", "Huyện Cẩm Xuyên", "huyen"),
    ("ky-anh", "Huyện Kỳ Anh", "huyen"),
    ("loc-ha", "Huyện Lộc Hà", "huyen"),
]

PASSWORD = "cchc-demo-2026"
# username, full name, role, unit code (None for the Interior Department and viewers)
ACCOUNTS = [
    ("vuquang.canbo", "Cán bộ Phòng Nội vụ huyện Vũ Quang", "officer", "vu-quang"),
    ("vuquang.lanhdao", "Lãnh đạo UBND huyện Vũ Quang", "leader", "vu-quang"),
    ("honglinh.canbo", "Cán bộ Phòng Nội vụ thị xã Hồng Lĩnh", "officer", "tx-hong-linh"),
    ("snv.thamdinh", "Chuyên viên thẩm định Sở Nội vụ", "appraiser", None),
    ("snv.quantri", "Quản trị Sở Nội vụ", "interior_admin", None),
    ("xem", "Lãnh đạo tỉnh (chỉ xem)", "viewer", None),
]

# Ways a unit loses points on a leaf: code -> declared figures, or a typed score (manual leaves).
# Each comment gives the points the leaf then scores.
VARIANTS = {
    "a": ("1.1.1", {"late": True}),  # 0.5 of 1
    "b": ("1.1.2", {"done": 85, "total": 100}),  # 1 of 2
    "c": ("3.2.1", {"done": 970, "total": 1000}),  # 3.88 of 4
    "d": ("3.1.1", {"done": 95, "total": 100}),  # 1.5 of 3
    "e": ("7.1.1", {"done": 80, "total": 100}),  # 1 of 2
    "f": ("7.2.1", {"done": 40, "total": 100}),  # 1 of 2
    "g": ("9.2.1", {"count": 35}),  # 1 of 2
    "h": ("5.2.1", {"done": 45, "total": 50}),  # 2.25 of 2.5
    "i": ("8.2.1", {"done": 10, "total": 12}),  # 3.33 of 4
    "j": ("1.3.2", D("0.75")),  # of 1, self-scored 1
    "k": ("6.1.2", D("1")),  # of 1.5, self-scored 1.5
    "l": ("2.2.3", {"count": 1}),  # 0.75 of 1
    "m": ("9.1.1", {"count": 6}),  # 2 of 4
    "M": ("9.1.1", {"count": 3}),  # 0 of 4
    "n": ("3.2.3", {"done": 35, "total": 100}),  # 0.5 of 1
    "o": ("6.2.1", {"done": 25, "total": 100}),  # 1.5 of 2.5
    "p": ("4.2.2", {"done": 90, "total": 100}),  # 1 of 2
    "q": ("1.5.1", {"done": False}),  # 0 of 2
    "r": ("9.3.1", {"done": 85, "total": 100}),  # 1 of 2
}

# How reports name the level's units together ("xếp thứ 12/13 huyện, thị xã, thành phố").
LEVEL_MEMBERS = "huyện, thị xã, thành phố"

# Lộc Hà was merged into Thạch Hà in the 2023–2025 reorganisation (domain.md §2); the date is
# the demo's, after its last year, so every demo year still has 13 units.
SUCCESSIONS = [
    (
        "loc-ha",
        "thach-ha",
        "merge",
        dt.date(2025, 1, 1),
        "Sắp xếp đơn vị hành chính cấp huyện giai đoạn 2023–2025 (ngày minh họa)",
    ),
]

# 2022, published: unit -> (variants, survey points, expected total). The survey is what makes
# the total; tests check every total and Vũ Quang's rank.
RESULTS_2022 = {
    "tp-ha-tinh": ("mdejhc", D("19.24"), D("94.12")),
    "thach-ha": ("mbefnkc", D("19.17"), D("93.05")),
    "tx-hong-linh": ("mdgoni", D("19.15"), D("92.48")),
    "nghi-xuan": ("mqbfnh", D("18.85"), D("92.10")),
    "can-loc": ("qmdep", D("19.27"), D("91.77")),
    "duc-tho": ("mqbgrak", D("19.34"), D("91.34")),
    "cam-xuyen": ("qmdfoi", D("19.19"), D("91.02")),
    "tx-ky-anh": ("qmbegplj", D("19.16"), D("90.66")),
    "huong-son": ("qmdrofa", D("19.41"), D("90.41")),
    "loc-ha": ("qmbegprc", D("19.17"), D("90.05")),
    "huong-khe": ("qmdfornhl", D("19.21"), D("89.71")),
    "ky-anh": ("qMbefgc", D("18.76"), D("88.64")),
}

# Vũ Quang 2022, as its report tells it: no provincial-level initiative (claimed, refused by the
# appraisal), deputy leaders not as regulated, too few 100–200 bn investment projects, a low
# enterprise share of budget revenue, and officials disciplined (a deduction of the ledger).
VU_QUANG_2022 = {
    "leaves": {
        "1.5.1": ({"done": True}, D("0"), "Không đạt chỉ tiêu"),
        "4.1.2": ({"done": False}, None, ""),
        "9.1.1": ({"count": 2}, None, ""),
        "6.2.1": ({"done": 15, "total": 100}, None, ""),
    },
    "survey": (D("9.85"), D("9.95")),
    "deductions": [
        (
            "officials-disciplined",
            2,
            "02 công chức bị kiểm điểm, xem xét xử lý kỷ luật trong năm 2022",
        ),
    ],
    "total": D("89.30"),
}

# 2023, in appraisal: round 1 is done except Vũ Quang's field 1, which a visitor (and the
# browser test) appraises before taking the year through explanation to publication.
AWAITING_APPRAISAL_2023 = {"vu-quang": {"1"}}
NOT_APPLICABLE_2023 = {
    "tp-ha-tinh": ("3.3.1", "Trong năm không phát sinh phản ánh, kiến nghị về quy định hành chính"),
}
VU_QUANG_2023_SELF = "mo"  # improved: 5 projects approved, a 25% enterprise share

# 2024, open for self-assessment: two units have filled everything; Vũ Quang every field but
# field 2, which a visitor (and the browser test) fills before its leader submits.
FILLED_2024 = {
    "tp-ha-tinh": None,
    "thach-ha": None,
    "vu-quang": {"1", "3", "4", "5", "6", "7", "8", "9"},
}
