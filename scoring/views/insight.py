"""A unit's insight page for a year (where it lost points, against whom, what it takes to climb,
its self-assessment against the appraisal) and its what-if, which saves nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from units.roles import roles_of

from .. import access, charts
from ..analysis import whatif
from ..selectors import insight as selectors

INSIGHT = "years/<int:year_id>/units/<slug:unit_code>/insight/"


def _deductions_input(base_total, year):
    """The deductions' input: offered when the unit had deductions (what it can avoid)."""
    return (base_total.deductions, year.deduction_max) if base_total.deductions > 0 else None


def _what_if(request, assessment, choices, total):
    """The what-if form read from the query, and its result when it is valid (else None)."""
    form = whatif.what_if_form(
        request.GET, choices, deductions=_deductions_input(total, assessment.year)
    )
    result = None
    if form.is_valid:
        result = selectors.what_if(assessment, form.changes, deductions=form.deductions)
    return form, result


def _charts(insight):
    profile = charts.field_profile(
        [
            charts.ProfileField(
                label=f"{f.node.code}. {f.node.title}",
                max_points=f.applicable_max or f.max_points,
                mine=f.points if f.applicable_max else None,
                average=f.average_points,
                leader=f.leader_points,
            )
            for f in insight.fields
        ],
        mine_label=insight.assessment.unit.name,
        average_label=_("Bình quân các đơn vị"),
        leader_label=(
            _("Dẫn đầu: %(unit)s") % {"unit": insight.leader.unit.name}
            if insight.leader
            else _("Dẫn đầu")
        ),
        title=_("Điểm từng lĩnh vực (% điểm tối đa)"),
    )
    years = [point.year for point in insight.history]
    over_years = None
    if len(years) > 1:
        over_years = charts.over_the_years(
            [
                charts.Series(
                    insight.assessment.unit.name,
                    [point.index for point in insight.history],
                    highlight=True,
                )
            ],
            years,
            title=_("Chỉ số CCHC qua các năm"),
            value_label=_("Chỉ số (%)"),
        )
    return profile, over_years


@require_GET
@login_required
def unit_insight(request, year_id: int, unit_code: str):
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_insight(roles, year_id, unit_code)
    insight = selectors.unit_insight(assessment, roles=roles)
    choices = [
        (item.code, item.title, item.max_points, item.points)
        for item in insight.lost
        if item.kind == "leaf" and not item.is_survey
    ]
    form, result = _what_if(request, assessment, choices, insight.total)
    profile, over_years = _charts(insight)
    claims = {row.year: row for row in insight.overclaim.years} if insight.overclaim else {}
    return render(
        request,
        "scoring/insight/unit.html",
        {
            "insight": insight,
            "year": assessment.year,
            "unit": assessment.unit,
            "form": form,
            "result": result,
            "profile_chart": profile,
            "years_chart": over_years,
            "overclaim_years": [
                {"point": point, "claim": claims.get(point.year)} for point in insight.history
            ],
            "report_url": reverse(
                "unit_report_docx", args=[assessment.year.pk, assessment.unit.code]
            ),
            "printed_on": timezone.localdate(),
        },
    )


@require_GET
@login_required
def unit_what_if(request, year_id: int, unit_code: str):
    """The what-if's result alone, for the page's script (the page itself works without it)."""
    roles = roles_of(request.user)
    assessment = access.get_assessment_for_insight(roles, year_id, unit_code)
    base = selectors.what_if_base(assessment)
    form = whatif.what_if_form(
        request.GET, base.choices, deductions=_deductions_input(base.mine.total, assessment.year)
    )
    result = None
    if form.is_valid:
        result = base.compute(form.changes, deductions=form.deductions)
    return render(
        request,
        "scoring/insight/what_if_result.html",
        {"form": form, "result": result, "year": assessment.year},
    )


urlpatterns = [
    path(INSIGHT, unit_insight, name="unit_insight"),
    path(INSIGHT + "what-if/", unit_what_if, name="unit_what_if"),
]
