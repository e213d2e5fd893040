"""A ledger entry keeps the direction it had when entered: flipping its kind later (in the
Django admin) changes neither the page's sign, nor the export's, nor the total."""

import io
from decimal import Decimal

import openpyxl
from django.urls import reverse

from scoring.models import Adjustment, AdjustmentKind, Assessment
from scoring.selectors import year_results


def test_a_flipped_kind_leaves_a_published_deduction_a_deduction(as_user, officer_a, year_2022):
    assessment = Assessment.objects.get(year=year_2022, unit__code="vu-quang")
    entry = Adjustment.objects.filter(
        assessment=assessment, direction=AdjustmentKind.Direction.DEDUCTION
    ).first()
    assert entry is not None, "the demo's Vũ Quang 2022 has deductions"
    before = next(r for r in year_results(year_2022) if r.unit.code == "vu-quang").total.points

    AdjustmentKind.objects.filter(pk=entry.kind_id).update(direction=AdjustmentKind.Direction.BONUS)

    after = next(r for r in year_results(year_2022) if r.unit.code == "vu-quang").total.points
    assert after == before
    client = as_user(officer_a)
    page = client.get(reverse("scorecard", args=[year_2022.pk, "vu-quang"])).content.decode()
    points = f"{entry.points:.2f}".replace(".", ",")
    assert f"−{points}" in page
    assert f"+{points}" not in page
    response = client.get(reverse("scorecard_xlsx", args=[year_2022.pk, "vu-quang"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert -Decimal(entry.points) in [Decimal(str(c)) for c in cells if isinstance(c, int | float)]
