"""`make bench`: how long the two everyday imports take at national size.

(a) One unit's self-assessment of every leaf it fills, (b) the survey scores of every unit of
the big level. Each file is made the way a user gets it, by the app's own template (the unit's
pre-filled template; the year's survey grid), filled in, then read and applied as the import
page does: the preview reads the file (``read_plan``), the apply reads it again and applies,
inside the page's audit origin and transaction. The figure is preview plus apply, the two
requests a user waits for; making and filling the workbook is the user's work, not timed.

Nothing is kept: each measurement runs in a transaction rolled back at its end, together with
what it needs (the year opened for self-assessment, a unit's officer, an Interior Department
account), so the bench data and every other figure are as before.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction
from openpyxl import load_workbook

from scoring import audit, rules
from scoring.demo import synthetic
from scoring.importers import self_assessment, survey
from scoring.importers.base import read_plan
from scoring.importers.self_assessment.layout import INDEX, no_label, yes_label
from scoring.models import Assessment, AssessmentYear, FrameworkNode, LeafScore
from units.models import Membership
from units.roles import GROUP_INTERIOR_ADMIN, roles_of

from . import BenchData, Figure

# An upload is two requests (preview, apply): each well inside a page's patience and far from
# gunicorn's 30 s worker timeout.
SELF_TARGET = Decimal(5)
# The whole level's survey in one file: the issue sets no target (seconds, printed). The
# import page hands a file of this size to a background job, so no request waits for it.
SURVEY_TARGET = None


class _Rollback(Exception):
    pass


def measure(data: BenchData) -> list[Figure]:
    return [self_assessment_import(data), survey_import(data)]


def _timed(importer_of, content: bytes, name: str) -> tuple[float, float, str]:
    """Preview and apply as ``views.importing.import_page`` does: (preview s, apply s, the
    importer's message)."""
    started = time.perf_counter()
    read_plan(importer_of(), content)
    previewed = time.perf_counter()
    with (
        audit.origin(audit.Path.IMPORT, audit.file_source(name, content)),
        transaction.atomic(),
    ):
        worker = importer_of()
        done = worker.apply(read_plan(worker, content))
    return previewed - started, time.perf_counter() - previewed, done


def _figure(name: str, preview: float, apply: float, target: Decimal | None) -> Figure:
    total = preview + apply
    return Figure(
        name,
        f"{total:.2f} s (preview {preview:.2f} + apply {apply:.2f})",
        "" if target is None else f"≤ {target} s",
        None if target is None else total <= target,
    )


def _cell_value(spec: rules.InputSpec, value):
    """A declared figure as a user types it into the template."""
    if value is None:
        return None
    if spec.kind == "bool":
        return yes_label() if value else no_label()
    if spec.kind == "flag":
        return yes_label() if value else None
    if spec.kind == "date":
        return dt.date.fromisoformat(value)
    if spec.kind == "int":
        return int(value)
    return Decimal(str(value))


def self_assessment_import(data: BenchData) -> Figure:
    """A unit of the big level fills every leaf it fills in the template and uploads it."""
    try:
        with transaction.atomic():
            year = AssessmentYear.objects.select_related("framework").get(pk=data.big_year_id)
            # Open for self-assessment (no deadlines: open now), the unit starting afresh.
            AssessmentYear.objects.filter(pk=year.pk).update(
                state=AssessmentYear.State.SELF_ASSESSMENT,
                self_assessment_opens=None,
                self_assessment_closes=None,
            )
            assessment = (
                Assessment.objects.filter(year=year)
                .select_related("year__framework", "year__unit_level", "unit")
                .order_by("unit__code")
                .first()
            )
            Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
            LeafScore.objects.filter(assessment=assessment)._raw_delete(LeafScore.objects.db)
            assessment.refresh_from_db()
            officer = User.objects.create_user("bench.officer")
            Membership.objects.create(
                user=officer, unit=assessment.unit, role=Membership.Role.OFFICER
            )
            roles = roles_of(officer)
            content, leaves = _filled_entry_template(assessment)
            preview, apply, _done = _timed(
                lambda: self_assessment.SelfAssessmentImporter(
                    assessment=assessment, roles=roles, user=officer
                ),
                content,
                "tu-danh-gia.xlsx",
            )
            written = LeafScore.objects.filter(assessment=assessment).count()
            if written != leaves:
                raise AssertionError(f"the import wrote {written} leaves of {leaves}")
            raise _Rollback
    except _Rollback:
        pass
    return _figure(
        f"Self-assessment import, {leaves} leaves of one unit", preview, apply, SELF_TARGET
    )


def _filled_entry_template(assessment: Assessment) -> tuple[bytes, int]:
    """The unit's template (``entry_template``) with every leaf the unit fills filled in with
    generated values (declared figures, typed scores, some N/A with a reason)."""
    book = load_workbook(io.BytesIO(self_assessment.entry_template(assessment).content))
    sheet = book.active
    leaves = {
        node.code: node
        for node in FrameworkNode.objects.filter(
            framework_id=assessment.year.framework_id, filled_by=FrameworkNode.FilledBy.UNIT
        ).exclude(rule="")
    }
    rng = random.Random(f"{synthetic.SEED}:bench-import")
    plan = synthetic.Plan(appraised=0.0, na_rate=0.1)
    filled = 0
    for row in range(1, sheet.max_row + 1):
        node = leaves.get(str(sheet.cell(row, INDEX["code"]).value or ""))
        if node is None:
            continue
        record, _flagged = synthetic.leaf_record(
            node, q=0.85, rng=rng, year=assessment.year.year, plan=plan, reasons=()
        )
        if record.not_applicable:
            sheet.cell(row, INDEX["na"]).value = yes_label()
            sheet.cell(row, INDEX["na_reason"]).value = record.na_reason
        elif rules.get_rule(node.rule).computed:
            for n, spec in enumerate(rules.get_rule(node.rule).inputs, start=1):
                value = _cell_value(spec, record.declared.get(spec.name))
                sheet.cell(row, INDEX[f"value{n}"]).value = value
        else:
            sheet.cell(row, INDEX["score"]).value = record.self_score
        sheet.cell(row, INDEX["explanation"]).value = record.explanation or None
        filled += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), filled


def survey_import(data: BenchData) -> Figure:
    """The Interior Department fills every survey cell of the big level's grid and uploads it."""
    try:
        with transaction.atomic():
            year = AssessmentYear.objects.select_related("framework", "unit_level").get(
                pk=data.big_year_id
            )
            if not year.in_appraisal:
                AssessmentYear.objects.filter(pk=year.pk).update(
                    state=AssessmentYear.State.APPRAISAL
                )
                year.refresh_from_db()
            admin = User.objects.create_user("bench.interior")
            admin.groups.add(Group.objects.get_or_create(name=GROUP_INTERIOR_ADMIN)[0])
            roles = roles_of(admin)
            content, cells = _filled_survey_template(year)
            preview, apply, _done = _timed(
                lambda: survey.SurveyImporter(year=year, roles=roles, user=admin),
                content,
                "dieu-tra-xhh.xlsx",
            )
            raise _Rollback
    except _Rollback:
        pass
    units = Assessment.objects.filter(year_id=data.big_year_id).count()
    return _figure(
        f"Survey import, {units:,} units ({cells:,} cells)", preview, apply, SURVEY_TARGET
    )


def _filled_survey_template(year: AssessmentYear) -> tuple[bytes, int]:
    """The year's survey template with a new score in every cell."""
    book = load_workbook(io.BytesIO(survey.survey_template(year).content))
    sheet = book.active
    maxima = dict(
        FrameworkNode.objects.filter(framework_id=year.framework_id, rule="survey").values_list(
            "code", "max_points"
        )
    )
    header = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 3).value in maxima)
    columns = {
        column: maxima[sheet.cell(header, column).value]
        for column in range(3, sheet.max_column + 1)
        if sheet.cell(header, column).value in maxima
    }
    cells = 0
    for row in range(header + 1, sheet.max_row + 1):
        if not sheet.cell(row, 1).value:
            continue
        for column, max_points in columns.items():
            share = Decimal(50 + (row * 7 + column * 3) % 50) / 100
            sheet.cell(row, column).value = rules.round2(max_points * share)
            cells += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), cells
