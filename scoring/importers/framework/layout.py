"""The framework template's layout, shared by the template and the import: its sheets, its
columns, and how a node's values are written in them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ... import rules
from ...models import FrameworkNode
from ...services.frameworks import NodeSpec
from ..base import ColumnSpec

SHEET = gettext_lazy("Bộ chỉ số")
# Contexts: "Nội dung" elsewhere names a changed value, and the sheet is the rules (plural).
RULES_SHEET = pgettext_lazy("framework template sheet", "Cách chấm")

# Keys are NodeSpec's attribute names, so a problem about an attribute finds its column.
COLUMNS = [
    ColumnSpec("code", gettext_lazy("Mã")),
    ColumnSpec("title", pgettext_lazy("framework column", "Nội dung")),
    ColumnSpec("max_points", gettext_lazy("Điểm tối đa")),
    ColumnSpec("rule", gettext_lazy("Cách chấm")),
    ColumnSpec("params", gettext_lazy("Tham số"), required=False),
    ColumnSpec("allows_na", gettext_lazy("Cho phép không áp dụng"), required=False),
    ColumnSpec("filled_by", gettext_lazy("Người chấm"), required=False),
    ColumnSpec("guide", gettext_lazy("Hướng dẫn chấm"), required=False),
    # Added in 2026: templates filled before it still import (the column is optional).
    ColumnSpec("shortfall", gettext_lazy("Diễn đạt khi bị mất điểm"), required=False),
]


def node_params_text(node: FrameworkNode) -> str:
    """A stored node's parameters in the rule's own order (on_time, late, late_days…), not
    the order the database keeps them in (PostgreSQL's jsonb sorts keys its own way)."""
    if not node.rule:
        return ""
    return params_text(rules.validate_params(node.rule, node.rule_params, node.max_points))


def params_text(params: Mapping[str, Any]) -> str:
    """Rule parameters as the template shows them: JSON, unset (None) values left out."""
    shown = {key: value for key, value in params.items() if value is not None}
    return json.dumps(shown, ensure_ascii=False) if shown else ""


def points(value: Decimal) -> str:
    return formats.number_format(Decimal(f"{value.normalize():f}"))


def described(node: NodeSpec | FrameworkNode) -> str:
    return _("%(title)s (%(max)s điểm)") % {"title": node.title, "max": points(node.max_points)}


def yes_no(value: bool) -> str:
    return _("Có") if value else _("Không")


def rule_label(code: str) -> str:
    return f"{code} ({rules.RULES[code].label})" if code in rules.RULES else code


def filled_by_label(code: str) -> str:
    return str(dict(FrameworkNode.FilledBy.choices).get(code, code))


def columns_help() -> list[tuple[str, str]]:
    """What goes in each column, for the import page."""
    unit, interior = (filled_by_label(c) for c in FrameworkNode.FilledBy.values)
    texts = {
        "code": _(
            "Mã của lĩnh vực (1), tiêu chí (1.2) hoặc tiêu chí thành phần (1.2.3): chữ số hoặc "
            "chữ cái, các cấp cách nhau bằng dấu chấm. Tiêu chí cha là mã bỏ đi phần sau dấu "
            "chấm cuối cùng, và phải có trong tệp."
        ),
        "title": _("Tên của lĩnh vực, tiêu chí hoặc tiêu chí thành phần."),
        "max_points": _(
            "Một số, tối đa 2 chữ số thập phân. Điểm tối đa của tiêu chí cha bằng tổng điểm "
            "các tiêu chí con; các lĩnh vực cộng lại bằng tổng điểm của bộ chỉ số (thường là 100)."
        ),
        "rule": _(
            "Để trống với lĩnh vực và tiêu chí có tiêu chí con. Tiêu chí thành phần có một mã "
            "cách chấm: %(codes)s (xem trang “Cách chấm” của mẫu)."
        )
        % {"codes": ", ".join(rules.RULES)},
        "params": _(
            "Tham số của cách chấm, viết dạng JSON như ví dụ ở trang “Cách chấm” của mẫu; để "
            "trống nếu cách chấm không có tham số."
        ),
        "allows_na": _("“Có” nếu đơn vị được khai tiêu chí là không áp dụng; để trống là “Không”."),
        "filled_by": _(
            "“%(unit)s” hoặc “%(interior)s”; để trống là đơn vị tự đánh giá (tiêu chí điều tra "
            "xã hội học: Sở Nội vụ)."
        )
        % {"unit": unit, "interior": interior},
        "guide": _("Không bắt buộc: hướng dẫn chấm hiện cho đơn vị khi tự đánh giá."),
        "shortfall": _(
            "Không bắt buộc: tiêu chí thành phần diễn đạt như điều còn thiếu, cho báo cáo các "
            "tiêu chí bị trừ điểm (ví dụ “không có sáng kiến được công nhận cấp tỉnh”). Để "
            "trống: phần mềm tự diễn đạt từ nội dung."
        ),
    }
    return [(str(spec.label), texts[spec.key]) for spec in COLUMNS]
