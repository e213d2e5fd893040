"""Report phrasing and lost points: pure functions, no database."""

from decimal import Decimal as D

import pytest

from scoring.analysis.lost import DEDUCTION, LEAF, DeductionOutcome, LeafOutcome, lost_items
from scoring.analysis.phrasing import (
    adjustment_in_sentence,
    is_acronym,
    lower_first,
    shortfall_of,
    unit_in_sentence,
    without_note,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Huyện Vũ Quang", "huyện Vũ Quang"),
        ("Thành phố Hà Tĩnh", "thành phố Hà Tĩnh"),
        ("Thị xã Hồng Lĩnh", "thị xã Hồng Lĩnh"),
        ("THỊ XÃ Kỳ Anh", "thị xã Kỳ Anh"),
        ("Xã  Sơn   Kim 1", "xã Sơn Kim 1"),
        ("Phường Bắc Hà", "phường Bắc Hà"),
        ("Sở Nội vụ", "Sở Nội vụ"),  # an agency's name is a proper name
        ("Huyệnx Lạ", "Huyệnx Lạ"),  # a noun only as a whole word
        ("", ""),
    ],
)
def test_a_units_name_mid_sentence(name, expected):
    assert unit_in_sentence(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Có CBCC bị kỷ luật", "có CBCC bị kỷ luật"),
        ("CBCC bị kỷ luật", "CBCC bị kỷ luật"),
        ("KT-XH chưa đạt", "KT-XH chưa đạt"),
        ("Ủy ban", "ủy ban"),
        ("  ", ""),
        ("A", "a"),  # one capital letter is not an acronym
    ],
)
def test_lower_first_keeps_acronyms(text, expected):
    assert lower_first(text) == expected


def test_is_acronym():
    assert is_acronym("UBND") and is_acronym("HĐND") and is_acronym("KT-XH")
    assert not is_acronym("Có") and not is_acronym("A") and not is_acronym("123")


@pytest.mark.parametrize(
    ("title", "shortfall", "expected"),
    [
        # The framework's own wording wins, mid-sentence, without a closing full stop.
        (
            "Có sáng kiến được công nhận cấp tỉnh",
            "Không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh.",
            "không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh",
        ),
        ("X", "  CBCC  bị kỷ luật ", "CBCC bị kỷ luật"),
        # Without it, the title is turned round.
        (
            "Có sáng kiến, mô hình CCHC được công nhận cấp tỉnh",
            "",
            "không có sáng kiến, mô hình CCHC được công nhận cấp tỉnh",
        ),
        (
            "Số lượng lãnh đạo cấp phó tại các phòng đúng quy định",
            "",
            "số lượng lãnh đạo cấp phó tại các phòng chưa đúng quy định",
        ),
        (
            "Ban hành kế hoạch CCHC năm đúng thời hạn.",
            "",
            "ban hành kế hoạch CCHC năm chưa đúng thời hạn",
        ),
        (
            "Tỷ lệ đóng góp của doanh nghiệp, HTX vào thu ngân sách huyện",
            "",
            "tỷ lệ đóng góp của doanh nghiệp, HTX vào thu ngân sách huyện còn thấp",
        ),
        ("Tổ chức kiểm tra công vụ", "", "tổ chức kiểm tra công vụ chưa đạt yêu cầu"),
        ("UBND ban hành kế hoạch", "", "UBND ban hành kế hoạch chưa đạt yêu cầu"),
        ("", "", ""),
    ],
)
def test_a_lost_leaf_is_said_as_what_was_missing(title, shortfall, expected):
    assert shortfall_of(title, shortfall) == expected


def test_a_deduction_reads_without_its_note():
    kind = "Có CBCC bị kiểm điểm, xem xét xử lý kỷ luật (mỗi người)"
    assert without_note(kind) == "Có CBCC bị kiểm điểm, xem xét xử lý kỷ luật"
    assert adjustment_in_sentence(kind) == "có CBCC bị kiểm điểm, xem xét xử lý kỷ luật"
    assert adjustment_in_sentence("Vi phạm (a) quy định") == "vi phạm (a) quy định"


# --- lost points ------------------------------------------------------------------------------


def leaf(code, max_points, score, **kw):
    return LeafOutcome(
        code=code,
        title=kw.pop("title", f"Tiêu chí {code}"),
        field_code=code.split(".")[0],
        max_points=D(max_points),
        score=None if score is None else D(score),
        **kw,
    )


def test_lost_items_by_points_lost_then_leaves_then_code():
    items = lost_items(
        [
            leaf("1.10", "2", "1"),  # lost 1
            leaf("1.9", "2", "1"),  # lost 1: 1.9 before 1.10
            leaf("9.1.1", "4", "0", shortfall="không có dự án"),  # lost 4
            leaf("2.1", "1", "1"),  # full points: not lost
            leaf("3.1", "1", None),  # unscored: nothing lost yet
            leaf("3.2", "1", "0", not_applicable=True),  # N/A: cannot lose
            leaf("10.1", "10", "9.85", is_survey=True, reason="khảo sát"),  # survey, kept, flagged
        ],
        [
            DeductionOutcome("Có CBCC bị kỷ luật (mỗi người)", D("1"), count=2, reason="02 CBCC"),
            DeductionOutcome("Không trừ", D("0")),
        ],
    )
    assert [(i.kind, i.code, i.lost) for i in items] == [
        (LEAF, "9.1.1", D("4")),
        (LEAF, "1.9", D("1")),
        (LEAF, "1.10", D("1")),
        (DEDUCTION, "", D("1")),
        (LEAF, "10.1", D("0.15")),
    ]
    assert items[0].phrase == "không có dự án"
    assert items[1].phrase == "tiêu chí 1.9 chưa đạt yêu cầu"
    assert items[3].phrase == "có CBCC bị kỷ luật"
    assert (items[3].reason, items[3].max_points, items[3].points) == ("02 CBCC", None, None)
    assert items[4].is_survey and items[4].reason == "khảo sát"


def test_nothing_lost():
    assert lost_items([leaf("1.1", "1", "1")]) == []
    assert lost_items([]) == []
