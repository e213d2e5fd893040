"""The survey grid: every unit's survey scores on one page."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from .fields import FigureField


class SurveyGridForm(forms.Form):
    """One score field per unit and survey leaf, named ``s-<assessment>-<leaf>``."""

    def __init__(self, *args, assessments, leaves, stored, **kwargs):
        super().__init__(*args, **kwargs)
        self.cells = []
        for assessment in assessments:
            row = []
            for leaf in leaves:
                name = f"s-{assessment.id}-{leaf.id}"
                current = stored.get((assessment.id, leaf.id))
                label = f"{assessment.unit.name} · {leaf.code}"
                self.fields[name] = FigureField(
                    label=label, required=False, max_digits=7, decimal_places=2, initial=current
                )
                self.fields[name].widget.attrs.update(
                    {"aria-label": label, "class": "form-control form-control-sm", "size": 6}
                )
                row.append(name)
            self.cells.append((assessment, [self[name] for name in row]))

    def scores(self) -> dict[tuple[int, int], Decimal | None]:
        """The cells the user changed, keyed by (assessment id, leaf id)."""
        result = {}
        for name in self.changed_data:
            _s, assessment_id, leaf_id = name.split("-")
            result[(int(assessment_id), int(leaf_id))] = self.cleaned_data[name]
        return result
