"""The results matrix as the import reads it: its sheet, its columns, what a score cell holds."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ... import calculations
from ..base import ColumnSpec

MATRIX_SHEET = gettext_lazy("Ma trận điểm")
NOT_APPLICABLE = gettext_lazy("KAD")
# What people write for "not applicable" besides the export's own word.
NOT_APPLICABLE_WORDS = {"kad", "n/a", "na", "không áp dụng", "khong ap dung", "not applicable"}
# The matrix export's header, "Chỉ số (%)" in either language (no % in a Python msgid).
INDEX_LABEL = format_lazy("{} (%)", gettext_lazy("Chỉ số"))
SPECS = [
    ColumnSpec("unit_code", gettext_lazy("Mã đơn vị"), required=False),
    ColumnSpec("unit", gettext_lazy("Đơn vị")),
    ColumnSpec("bonus", gettext_lazy("Thưởng"), required=False),
    ColumnSpec("deductions", gettext_lazy("Trừ"), required=False),
    # Read only to show where the file's figures differ from the app's; never used.
    ColumnSpec("file_total", gettext_lazy("Tổng điểm"), required=False),
    ColumnSpec("file_index", INDEX_LABEL, required=False),
    ColumnSpec("file_rank", gettext_lazy("Hạng"), required=False),
    # Checked against the app's: a unit's index is its points over this maximum.
    ColumnSpec("file_max", gettext_lazy("Điểm tối đa áp dụng"), required=False),
]
# A header that looks like a criterion code ("1", "1.2", "1.9.9"): a score column, or a mistake.
CODE_LIKE = re.compile(r"\d+(\.\d+)*")
MAX_ADJUSTMENT = Decimal("999.99")


@dataclass(frozen=True)
class Target:
    """A score column's leaf: in the year's framework, or in its flattened form."""

    code: str
    max_points: Decimal
    step: Decimal | None
    allows_na: bool


def step_of(rule: str, params) -> Decimal | None:
    step = params.get("step") if rule == "manual" else None
    return Decimal(step) if step else None


def leaf_inputs(
    targets: list[Target], scores: dict[str, Decimal], not_applicable: Collection[str]
) -> list[calculations.LeafInput]:
    return [
        calculations.LeafInput(t.code, t.max_points, scores.get(t.code), t.code in not_applicable)
        for t in targets
    ]


def cell_at(values: tuple, index: int) -> Any:
    return values[index] if index < len(values) else None


def number_text(value: Decimal | int | None) -> str:
    return "—" if value is None else formats.number_format(value, 2)


def columns_help() -> list[tuple[str, str]]:
    """What each column of the template takes, for the import page."""
    return [
        (
            _("Mã đơn vị"),
            _("Mã đơn vị trong phần mềm; không bắt buộc (không có thì khớp theo tên)."),
        ),
        (_("Đơn vị"), _("Tên đơn vị; không phân biệt chữ hoa, chữ thường.")),
        (
            "1.1.1, 1.1.2, …",
            _(
                "Điểm từng tiêu chí thành phần, mọi tiêu chí kể cả điều tra xã hội học; "
                "“KAD” nếu tiêu chí không áp dụng với đơn vị. Không được để trống."
            ),
        ),
        (
            "1, 2, …",
            _("Hoặc, thay cho các cột trên: điểm từng lĩnh vực (kể cả khối điều tra xã hội học)."),
        ),
        (_("Thưởng"), _("Điểm thưởng, số dương; không bắt buộc.")),
        (_("Trừ"), _("Điểm trừ, số dương; không bắt buộc.")),
        (
            _("Điểm tối đa áp dụng"),
            _(
                "Không bắt buộc. Nếu có, phải bằng điểm tối đa trừ điểm các tiêu chí không áp "
                "dụng (phần mềm kiểm tra, không dùng để tính)."
            ),
        ),
        (
            f"{_('Tổng điểm')}, {INDEX_LABEL}, {_('Hạng')}",
            _(
                "Không bắt buộc, không dùng để tính: phần mềm tự tính và bản xem trước chỉ ra "
                "đơn vị nào trong tệp ghi khác."
            ),
        ),
        (
            _("Trang “Thiết lập xếp hạng”"),
            _(
                "Cách xếp đồng hạng, điểm thưởng tối đa, điểm trừ tối đa và các xếp loại của "
                "năm đó (mẫu đã điền sẵn thiết lập hiện tại). Có trang này thì năm được xếp hạng "
                "theo đúng thiết lập trong tệp; không có thì giữ thiết lập hiện tại của năm."
            ),
        ),
        (
            _("Các cột khác"),
            _("Cộng từng lĩnh vực và trang “Tiêu chí”: không dùng, phần mềm tự tính."),
        ),
    ]
