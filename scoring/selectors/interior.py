"""The Interior Department's own grids of a year: the survey scores of every unit, and who
appraises which field. The survey page, its Excel template and its import read through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from units.collation import VietnameseOrder
from units.roles import GROUP_APPRAISER

from ..models import Assessment, AssessmentYear, FieldAssignment, FrameworkNode, LeafScore


@dataclass(frozen=True)
class SurveyCell:
    """One unit's score of one survey leaf as stored: the score, the appraisal version (what a
    page sends back to say which state it showed) and who saved it last."""

    score: Decimal | None = None
    version: int = 0
    by: object = None  # the user who saved it last, or None


EMPTY = SurveyCell()


@dataclass(frozen=True)
class SurveyGrid:
    year: AssessmentYear
    leaves: list[FrameworkNode]  # in framework order
    assessments: list[Assessment]  # with their unit, by unit name
    cells: dict[tuple[int, int], SurveyCell] = field(default_factory=dict)

    def cell(self, assessment_id: int, leaf_id: int) -> SurveyCell:
        return self.cells.get((assessment_id, leaf_id), EMPTY)


def survey_leaves(year: AssessmentYear) -> list[FrameworkNode]:
    return list(
        FrameworkNode.objects.filter(framework_id=year.framework_id, rule="survey").order_by(
            "sort_key"
        )
    )


def survey_grid(year: AssessmentYear) -> SurveyGrid:
    """Every assessed unit of the year with its stored survey scores: 3 queries (the leaves,
    the assessments with their unit, the scores with who saved them)."""
    leaves = survey_leaves(year)
    assessments = list(
        Assessment.objects.filter(year=year)
        .select_related("unit")
        .order_by(VietnameseOrder("unit__name"))
    )
    rows = (
        LeafScore.objects.filter(assessment__year=year, node__rule="survey")
        .select_related("appraised_by")
        .only(
            "assessment_id",
            "node_id",
            "r1_score",
            "appraisal_version",
            "appraised_by__username",
            "appraised_by__first_name",
            "appraised_by__last_name",
        )
    )
    cells = {
        (row.assessment_id, row.node_id): SurveyCell(
            row.r1_score, row.appraisal_version, row.appraised_by
        )
        for row in rows
    }
    return SurveyGrid(year=year, leaves=leaves, assessments=assessments, cells=cells)


@dataclass(frozen=True)
class AssignmentGrid:
    year: AssessmentYear
    fields: list[FrameworkNode]  # the year's fields, in framework order
    appraisers: list  # active appraiser accounts, by username
    pairs: frozenset[tuple[int, int]]  # (field id, appraiser id) as stored

    @property
    def shown(self) -> frozenset[tuple[int, int]]:
        """The pairs the page shows: those of the appraisers it offers."""
        offered = {person.id for person in self.appraisers}
        return frozenset(pair for pair in self.pairs if pair[1] in offered)

    def rows(self, ticked=None):
        """(field, [(appraiser, ticked?) …]) per field, as the page lays them out; ticked as
        stored unless a page being shown again says otherwise."""
        ticked = self.pairs if ticked is None else ticked
        return [
            (node, [(person, (node.id, person.id) in ticked) for person in self.appraisers])
            for node in self.fields
        ]


def assignment_grid(year: AssessmentYear) -> AssignmentGrid:
    """The year's fields, the appraisers and who appraises what: 3 queries."""
    fields = list(
        FrameworkNode.objects.filter(framework_id=year.framework_id, parent=None).order_by(
            "sort_key"
        )
    )
    appraisers = list(
        get_user_model()
        .objects.filter(groups__name=GROUP_APPRAISER, is_active=True)
        .order_by("username")
    )
    pairs = frozenset(
        FieldAssignment.objects.filter(year=year).values_list("field_id", "appraiser_id")
    )
    return AssignmentGrid(year=year, fields=fields, appraisers=appraisers, pairs=pairs)
