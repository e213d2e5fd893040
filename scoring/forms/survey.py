"""The survey grid: every unit's survey scores on one page.

Each cell carries, in two hidden inputs, what the page showed: the score and its appraisal
version. A cell counts as changed when the user's score differs from the score shown (not from
the score stored now: a colleague may have saved it since), and the service refuses it when
the version moved on, so a page opened before a colleague's save never undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .. import rules
from ..selectors import SurveyCell, SurveyGrid
from ..services.concurrency import Conflict
from ..services.interior import SurveyScore
from .fields import FigureField

Key = tuple[int, int]  # (assessment id, survey leaf id)


def _plain(score: Decimal | None) -> str:
    """A score as the hidden input keeps it: exact, whatever the user's language."""
    return "" if score is None else format(score, "f")


@dataclass(frozen=True)
class GridCell:
    key: Key
    score: BoundField
    version: BoundField
    shown: BoundField
    conflict: Conflict | None = None  # the other person's row when this cell was refused


class SurveyGridForm(forms.Form):
    """Per unit and survey leaf: ``s-<assessment>-<leaf>`` (the score), ``…-v`` and ``…-was``
    (hidden: the version and the score the page showed)."""

    def __init__(self, *args, grid: SurveyGrid, conflicts: dict[Key, Conflict] | None = None, **kw):
        super().__init__(*args, **kw)
        self.grid = grid
        self.rows: list[tuple[Any, list[GridCell]]] = []
        self._touched: list[SurveyScore] = []
        conflicts = conflicts or {}
        for assessment in grid.assessments:
            row = []
            for leaf in grid.leaves:
                key = (assessment.id, leaf.id)
                name = f"s-{assessment.id}-{leaf.id}"
                stored = grid.cell(*key)
                label = f"{assessment.unit.name} · {leaf.code}"
                self.fields[name] = FigureField(
                    label=label,
                    required=False,
                    max_digits=7,
                    decimal_places=2,
                    initial=stored.score,
                    # The rules' own words, as the Excel import says it.
                    error_messages={"min_value": _("Điểm không được âm.")},
                )
                self.fields[name].widget.attrs.update(
                    {"aria-label": label, "class": "form-control form-control-sm", "size": 6}
                )
                self.fields[f"{name}-v"] = forms.CharField(
                    required=False, initial=stored.version, widget=forms.HiddenInput
                )
                self.fields[f"{name}-was"] = forms.CharField(
                    required=False, initial=_plain(stored.score), widget=forms.HiddenInput
                )
                row.append(
                    GridCell(
                        key, self[name], self[f"{name}-v"], self[f"{name}-was"], conflicts.get(key)
                    )
                )
            self.rows.append((assessment, row))

    def _shown(self, name: str, stored: SurveyCell) -> tuple[Decimal | None, int]:
        """The score and version the page showed. A post that does not say (an old page) is
        compared with the stored score, and its version matches nothing: a change is refused
        until the user has seen the stored score."""
        version, was = self.data.get(f"{name}-v"), self.data.get(f"{name}-was")
        try:
            version = int(version)
            was = Decimal(was) if was else None
        except (TypeError, ValueError, InvalidOperation):
            return stored.score, -1
        return was, version

    def clean(self):
        cleaned = super().clean()
        leaves = {leaf.id: leaf for leaf in self.grid.leaves}
        for _assessment, cells in self.rows:
            for cell in cells:
                name = cell.score.name
                if name in self.errors:
                    continue
                score = cleaned.get(name)
                was, version = self._shown(name, self.grid.cell(*cell.key))
                if score == was:
                    continue  # left as shown: whatever is stored now stays
                try:
                    if score is not None:
                        rules.check_score(score, leaves[cell.key[1]].max_points)
                except rules.DeclaredError as exc:
                    self.add_error(name, exc.message)
                    continue
                self._touched.append(SurveyScore(*cell.key, version=version, score=score))
        return cleaned

    def scores(self) -> list[SurveyScore]:
        """The cells the user changed, with the version each showed (after ``is_valid``)."""
        return list(self._touched)

    def after_conflict(self, conflicts: dict[Key, Conflict]) -> SurveyGridForm:
        """The grid after a refused save: a refused cell keeps the user's score, now standing
        on the other person's version (saving again replaces theirs, knowingly); an untouched
        cell shows what is stored now; other changed cells keep the user's input."""
        data = self.data.copy()
        touched = {(s.assessment_id, s.node_id) for s in self._touched}
        for _assessment, cells in self.rows:
            for cell in cells:
                name = cell.score.name
                if cell.key in conflicts:
                    theirs = conflicts[cell.key].theirs
                    data[f"{name}-v"] = str(theirs.appraisal_version if theirs else 0)
                    data[f"{name}-was"] = _plain(theirs.r1_score if theirs else None)
                elif cell.key not in touched:
                    stored = self.grid.cell(*cell.key)
                    data[name] = (
                        "" if stored.score is None else formats.localize_input(stored.score)
                    )
                    data[f"{name}-v"] = str(stored.version)
                    data[f"{name}-was"] = _plain(stored.score)
        form = SurveyGridForm(data, grid=self.grid, conflicts=conflicts)
        form.is_valid()
        return form
