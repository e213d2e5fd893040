"""Frameworks shaped like real ones (domain §3), made through ``services.create_framework``."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from units.models import UnitLevel
from units.roles import SYSTEM_ADMIN

from ... import rules, services
from ...models import (
    Framework,
    FrameworkNode,
)

SEED = 13
ZERO = Decimal(0)
QUARTER = Decimal("0.25")
CENT = Decimal("0.01")
STEP = "0.25"  # the step of the manual leaves that have one (the demo framework's)


def nodes(fields: int = 2, leaves_per_field: int = 3) -> list[services.NodeSpec]:
    """The plainest framework: ``fields`` fields of ``leaves_per_field`` manual leaves worth 2
    points each (query-count tests, where only the number of rows matters)."""
    specs = []
    for f in range(1, fields + 1):
        specs.append(services.NodeSpec(str(f), f"Lĩnh vực {f}", Decimal(2 * leaves_per_field)))
        specs += [
            services.NodeSpec(f"{f}.{i}", f"Tiêu chí {f}.{i}", Decimal(2), "manual")
            for i in range(1, leaves_per_field + 1)
        ]
    return specs


# The fields of the Ministry's framework (QĐ 876/QĐ-BNV, domain §3), then more for larger ones.
FIELD_TITLES = (
    "Công tác chỉ đạo, điều hành cải cách hành chính",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính nhà nước",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
    "Tác động của cải cách hành chính đến người dân, tổ chức",
    "Phát triển kinh tế - xã hội của địa phương",
)
SURVEY_TITLE = "Điều tra xã hội học"
# Every rule type in turn (domain §3); manual leaves come twice, one with a step.
RULE_CYCLE = (
    "manual",
    "binary",
    "percent_tiers",
    "manual_step",
    "proportional",
    "timeliness",
    "count_tiers",
    "deduction",
)
LEAF_TITLES = {
    "manual": "Chất lượng thực hiện nhiệm vụ {code}",
    "manual_step": "Kết quả kiểm tra, đánh giá nhiệm vụ {code}",
    "binary": "Ban hành kế hoạch thực hiện nhiệm vụ {code}",
    "percent_tiers": "Tỷ lệ hoàn thành kế hoạch nhiệm vụ {code}",
    "proportional": "Tỷ lệ hồ sơ giải quyết đúng hạn, nhiệm vụ {code}",
    "timeliness": "Báo cáo nhiệm vụ {code} đúng thời hạn",
    "count_tiers": "Số sáng kiến, mô hình mới của nhiệm vụ {code}",
    "deduction": "Vi phạm trong thực hiện nhiệm vụ {code} (trừ theo mỗi trường hợp)",
}


def _split(total: Decimal, n: int, rng: random.Random) -> list[Decimal]:
    """``n`` maxima summing exactly to ``total``: quarter points like real frameworks (0.25,
    0.5, 1.5 …), hundredths when there are too many leaves for quarters; uneven weights."""
    unit = QUARTER if n * QUARTER <= total else CENT
    units = int(total / unit)
    weights = [rng.choice((1, 2, 2, 3, 4, 4, 6, 8)) for _ in range(n)]
    spare = Fraction(units - n)
    raw = [spare * w / sum(weights) for w in weights]
    parts = [1 + int(r) for r in raw]
    # Largest remainders take what is left, so the parts sum exactly.
    order = sorted(range(n), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    return [p * unit for p in parts]


def _leaf_spec(code: str, kind: str, max_points: Decimal, *, allows_na: bool) -> services.NodeSpec:
    half = max(CENT, rules.round2(max_points / 2))
    rule, params = kind, {}
    if kind == "manual_step":
        rule = "manual"
        params = {"step": STEP} if max_points >= Decimal(STEP) else {}
    elif kind == "percent_tiers":
        params = {
            "tiers": [
                {"min": "90", "points": str(max_points), "inclusive": False},
                {"min": "70", "points": str(half)},
            ]
        }
    elif kind == "count_tiers":
        params = {
            "tiers": [{"min": "10", "points": str(max_points)}, {"min": "5", "points": str(half)}]
        }
    elif kind == "timeliness":
        params = {"on_time": str(max_points), "late": str(half), "late_days": 15}
    elif kind == "deduction":
        params = {"per_occurrence": str(max(CENT, rules.round2(max_points / 4)))}
    return services.NodeSpec(
        code,
        LEAF_TITLES[kind].format(code=code),
        max_points,
        rule,
        params,
        allows_na=allows_na,
        shortfall=f"chưa đạt yêu cầu của tiêu chí {code}",
    )


def framework_nodes(
    leaves: int,
    *,
    fields: int = 9,
    survey_leaves: int | None = None,
    total: Decimal = Decimal(100),
    seed: int = SEED,
) -> list[services.NodeSpec]:
    """A framework of ``leaves`` leaves like a real one: ``fields`` appraised fields sharing
    the appraised leaves (the first ones one more when they do not divide), every rule type in
    turn, one leaf in five N/A-able; then a survey field of ``survey_leaves`` interior-filled
    leaves (default: one leaf in fifteen). Maxima in quarter points: with a survey block the
    appraised fields hold 80 % of ``total`` and the survey 20 % (Hà Tĩnh's 80 + 20)."""
    if survey_leaves is None:
        survey_leaves = max(1, round(leaves / 15)) if leaves >= 3 else 0
    appraised = leaves - survey_leaves
    fields = min(fields, appraised)
    if appraised < 1 or fields < 1:
        raise ValueError("a framework needs at least one appraised leaf")
    rng = random.Random(f"{seed}:framework:{leaves}:{fields}:{survey_leaves}")
    appraised_total = total * Decimal("0.8") if survey_leaves else total
    maxima = iter(_split(appraised_total, appraised, rng))
    specs: list[services.NodeSpec] = []
    position = 0
    for f in range(1, fields + 1):
        count = appraised // fields + (1 if f <= appraised % fields else 0)
        children = []
        for i in range(1, count + 1):
            kind = RULE_CYCLE[position % len(RULE_CYCLE)]
            children.append(_leaf_spec(f"{f}.{i}", kind, next(maxima), allows_na=position % 5 == 2))
            position += 1
        title = FIELD_TITLES[f - 1] if f <= len(FIELD_TITLES) else f"Lĩnh vực {f}"
        specs.append(services.NodeSpec(str(f), title, sum((c.max_points for c in children), ZERO)))
        specs += children
    if survey_leaves:
        code = str(fields + 1)
        children = [
            services.NodeSpec(
                f"{code}.{i}",
                f"Mức độ hài lòng của người dân, tổ chức (câu hỏi {i})",
                max_points,
                "survey",
                filled_by=FrameworkNode.FilledBy.INTERIOR,
            )
            for i, max_points in enumerate(_split(total - appraised_total, survey_leaves, rng), 1)
        ]
        specs.append(services.NodeSpec(code, SURVEY_TITLE, total - appraised_total))
        specs += children
    return specs


def create_framework(level: UnitLevel, name: str, specs: Sequence[services.NodeSpec]) -> Framework:
    """The framework, through the service that validates every node and the tree's sums."""
    return services.create_framework(
        roles=SYSTEM_ADMIN,
        name=name,
        unit_level=level,
        nodes=specs,
        max_points=sum((s.max_points for s in specs if s.parent_code is None), ZERO),
    )
