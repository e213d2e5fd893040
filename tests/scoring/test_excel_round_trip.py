"""The issue's round trip: the officer exports the unit's template, fills it offline, imports
it, and the scorecard the app then exports carries the very numbers of the file."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scoring.models import LeafScore
from tests.scoring.export_helpers import rows, workbook
from tests.scoring.test_import_self_assessment import (
    FIELD_2_SCORES,
    apply,
    download,
    fill_field_2,
    upload,
)

pytestmark = pytest.mark.django_db


def scorecard_rows(client, year) -> dict[str, dict]:
    """The scorecard export, as {code: {header: value}}."""
    response = client.get(reverse("scorecard_xlsx", args=[year.pk, "vu-quang"]))
    assert response.status_code == 200
    table = rows(workbook(response).active)
    header_at = next(i for i, row in enumerate(table) if row[0] == "Mã")
    header = table[header_at]
    return {
        row[0]: dict(zip(header, row, strict=True))
        for row in table[header_at + 1 :]
        if row[0] and str(row[0])[0].isdigit()
    }


def test_template_filled_offline_comes_back_in_the_scorecard(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    before = scorecard_rows(client, year_2024)
    assert before["2"]["Tự chấm"] is None  # field 2 is untouched in the demo

    sheet = download(client, year_2024)
    fill_field_2(sheet)
    preview = upload(client, year_2024, sheet.bytes())
    assert preview.status_code == 200 and preview.context["plan"].changes
    applied = apply(client, year_2024, preview)
    assert applied.status_code == 302

    card = scorecard_rows(client, year_2024)
    for code, score in FIELD_2_SCORES.items():
        stored = LeafScore.objects.get(
            assessment__year=year_2024, assessment__unit__code="vu-quang", node__code=code
        )
        assert stored.self_score == score
        if score is None:
            assert card[code]["Không áp dụng"]  # N/A, with its reason, not a zero
            assert card[code]["Tự chấm"] is None
        else:
            assert Decimal(str(card[code]["Tự chấm"])) == score
    # The field's subtotal is the sum of what the file said (2.2.2 is not applicable).
    assert Decimal(str(card["2"]["Tự chấm"])) == sum(s for s in FIELD_2_SCORES.values() if s)
    # What the file typed as explanation is in the scorecard too.
    assert card["2.1.1"]["Thuyết minh"] == "Ban hành 19/20 văn bản theo kế hoạch."
    # The rest of the unit's figures did not move.
    assert {c: r["Tự chấm"] for c, r in card.items() if not c.startswith("2")} == {
        c: r["Tự chấm"] for c, r in before.items() if not c.startswith("2")
    }
