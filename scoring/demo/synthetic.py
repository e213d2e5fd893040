"""Synthetic unit levels of any size, for query-count tests and benchmarks."""

from decimal import Decimal

from units.models import Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

from .. import services
from ..models import Adjustment, AdjustmentKind, AssessmentYear, LeafScore


def nodes(fields: int = 2, leaves_per_field: int = 3) -> list[services.NodeSpec]:
    """``fields`` fields of ``leaves_per_field`` manual leaves worth 2 points each."""
    specs = []
    for f in range(1, fields + 1):
        specs.append(services.NodeSpec(str(f), f"Lĩnh vực {f}", Decimal(2 * leaves_per_field)))
        specs += [
            services.NodeSpec(f"{f}.{i}", f"Tiêu chí {f}.{i}", Decimal(2), "manual")
            for i in range(1, leaves_per_field + 1)
        ]
    return specs


def build_level(
    n_units: int, *, fields: int = 2, leaves_per_field: int = 3
) -> tuple[AssessmentYear, AssessmentYear]:
    """A level with ``n_units`` units, last year published and this year in appraisal, every
    leaf scored and one deduction per unit: data on which an N+1 query would show."""
    level = UnitLevel.objects.create(code=f"synthetic-{n_units}", name=f"Synthetic {n_units}")
    units = Unit.objects.bulk_create(
        Unit(level=level, code=f"s{n_units}-{i}", name=f"Đơn vị {i:04}", kind="huyen")
        for i in range(n_units)
    )
    specs = nodes(fields, leaves_per_field)
    framework = services.create_framework(
        roles=SYSTEM_ADMIN,
        name=f"Synthetic {n_units}",
        unit_level=level,
        nodes=specs,
        max_points=sum((s.max_points for s in specs if "." not in s.code), Decimal(0)),
    )
    leaves = list(framework.nodes.exclude(rule=""))
    kind = AdjustmentKind.objects.get(code="other-deduction")
    years = []
    for year_number, state in ((2022, "published"), (2023, "appraisal")):
        year = services.create_year(
            roles=SYSTEM_ADMIN, year=year_number, unit_level=level, framework=framework, units=units
        )
        assessments = list(year.assessments.all())
        LeafScore.objects.bulk_create(
            LeafScore(assessment=a, node=node, r1_score=Decimal(i % 3) / 2)
            for i, a in enumerate(assessments)
            for node in leaves
        )
        Adjustment.objects.bulk_create(
            Adjustment(
                assessment=a,
                kind=kind,
                direction=kind.direction,
                points=Decimal("0.25"),
                reason="x",
            )
            for a in assessments
        )
        # Straight to the state: a benchmark has no use for the workflow's steps.
        AssessmentYear.objects.filter(pk=year.pk).update(state=state)
        years.append(AssessmentYear.objects.select_related("framework").get(pk=year.pk))
    return years[0], years[1]
