"""Data every installation starts with: the bonus/deduction kinds a district report names
(vu-quang-report-2023.txt), plus one open kind each way. Admins add more."""

from decimal import Decimal

# code: (name, direction, per occurrence, default points)
ADJUSTMENT_KINDS = {
    "no-provincial-initiative": (
        "Không có sáng kiến kinh nghiệm cấp tỉnh",
        "deduction",
        False,
        "0.5",
    ),
    "officials-disciplined": (
        "Có CBCC bị kiểm điểm, xem xét xử lý kỷ luật (mỗi người)",
        "deduction",
        True,
        "0.25",
    ),
    "leaders-not-per-regulation": (
        "Số lượng lãnh đạo tại đơn vị không đúng quy định",
        "deduction",
        False,
        "0.5",
    ),
    "too-few-investment-projects": (
        "Không có từ 5–10 dự án được chấp thuận đầu tư với vốn 100–200 tỷ đồng",
        "deduction",
        False,
        "0.5",
    ),
    "low-enterprise-budget-share": (
        "Tỷ lệ đóng góp của doanh nghiệp, HTX vào thu ngân sách thấp",
        "deduction",
        False,
        "0.5",
    ),
    "other-deduction": ("Điểm trừ khác", "deduction", False, None),
    "other-bonus": ("Điểm thưởng khác", "bonus", False, None),
}


def ensure_adjustment_kinds(model) -> None:
    """Create the default kinds that are missing; ``model`` is AdjustmentKind (or, in a
    migration, its historical version). Existing kinds are left as the admins edited them."""
    for code, (name, direction, per_occurrence, points) in ADJUSTMENT_KINDS.items():
        model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "direction": direction,
                "per_occurrence": per_occurrence,
                "default_points": Decimal(points) if points else None,
            },
        )


# code: (label, needs a comment) — the reasons the issue names; admins add more.
APPRAISAL_REASONS = {
    "missing-evidence": ("Thiếu tài liệu kiểm chứng", False),
    "late": ("Thực hiện trễ hạn", False),
    "target-not-reached": ("Không đạt chỉ tiêu", False),
    "not-per-regulation": ("Không đúng quy định", False),
    "other": ("Lý do khác", True),
}


def ensure_appraisal_reasons(model) -> None:
    """Create the default appraisal reasons that are missing (migration and demo)."""
    for order, (code, (label, needs_comment)) in enumerate(APPRAISAL_REASONS.items()):
        model.objects.get_or_create(
            code=code, defaults={"label": label, "needs_comment": needs_comment, "order": order}
        )
