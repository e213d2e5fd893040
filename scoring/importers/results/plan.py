"""The preview of a historical results import: what the year will look like once applied."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from units.collation import name_key

from ...models import Assessment, AssessmentYear
from ...services.history import HistoricalResult, Standing, YearSettings, YearUnits, standings
from ..base import Change, Plan, cell_text
from .layout import Target, number_text
from .year_settings import SETTINGS_SHEET, settings_changes


@dataclass
class ResultsPayload:
    year_id: int
    flatten: bool
    results: list[HistoricalResult]
    settings: YearSettings | None  # None: the file has no settings sheet; the year's stay


# The file's own figures of a unit, compared with the app's and never used: the column's key,
# what the preview calls it, and how close counts as the same.
FILE_FIGURES = (
    ("file_total", lambda: _("Tổng điểm ghi trong tệp (không dùng)"), Decimal("0.005")),
    ("file_index", lambda: _("Chỉ số ghi trong tệp (không dùng)"), Decimal("0.005")),
    ("file_rank", lambda: _("Hạng ghi trong tệp (không dùng)"), Decimal("0.5")),
)


def results_plan(
    *,
    year: AssessmentYear,
    leaf_count: int,
    flatten: bool,
    targets: list[Target],
    results: list[HistoricalResult],
    figures: dict[int, dict[str, Decimal]],
    split: YearUnits,
    settings: YearSettings | None,
) -> Plan:
    """The preview: the settings the file changes, each unit's total, index, rank (and band)
    as the app will compute them, where the file's own figures differ, who joins or leaves
    the year, and its publication."""
    current = YearSettings.of(year)
    ranking = settings or current
    ranked = standings([(t.code, t.max_points) for t in targets], results, ranking)
    leaving: list[Assessment] = split.leaving
    changes = [
        Change(str(year), what, old, new) for what, old, new in settings_changes(current, ranking)
    ]
    if flatten:
        changes.append(
            Change(
                subject=year.framework.name,
                what=_("Bộ chỉ số của năm"),
                old=ngettext("%(n)s tiêu chí thành phần", "%(n)s tiêu chí thành phần", leaf_count)
                % {"n": leaf_count},
                new=_("%(n)s lĩnh vực chấm điểm trực tiếp (giữ mã, tên, điểm tối đa)")
                % {"n": len(targets)},
            )
        )
    count = len(results)
    for result in sorted(
        results, key=lambda r: (ranked[r.unit.pk].rank or count + 1, name_key(r.unit.name))
    ):
        unit, standing = result.unit, ranked[result.unit.pk]
        if unit.pk not in split.kept:
            changes.append(Change(unit.name, _("Bản đánh giá"), "", _("thêm vào kỳ đánh giá")))
        changes.append(Change(unit.name, *_standing_text(standing, count)))
        changes += _differences(unit, standing, figures.get(unit.pk, {}))
    for assessment in leaving:
        changes.append(
            Change(
                assessment.unit.name,
                _("Bản đánh giá"),
                _("có trong kỳ đánh giá"),
                _("bỏ khỏi kỳ đánh giá (không có trong tệp)"),
            )
        )
    changes.append(
        Change(
            str(year),
            _("Trạng thái"),
            year.get_state_display(),
            AssessmentYear.State.PUBLISHED.label,
        )
    )
    return Plan(
        summary=_summary(year, flatten, targets, count, leaving, settings, ranking),
        changes=changes,
        payload=ResultsPayload(
            year_id=year.pk, flatten=flatten, results=results, settings=settings
        ),
    )


def _standing_text(standing: Standing, count: int) -> tuple[str, str, str]:
    total = standing.total
    new = _("%(points)s / %(max)s điểm, chỉ số %(index)s, hạng %(rank)s/%(n)s") % {
        "points": number_text(total.points),
        "max": number_text(total.applicable_max),
        "index": number_text(total.shown_index),
        "rank": standing.rank or "—",
        "n": count,
    }
    if standing.band is not None:
        new += ", " + _("xếp loại %(band)s") % {"band": standing.band}
    return _("Tổng điểm, chỉ số, hạng (phần mềm tính)"), "", new


def _differences(unit, standing: Standing, written: dict[str, Decimal]) -> list[Change]:
    """Where the file's own total, index or rank differs from what the app computes: shown,
    never used (a difference usually means a typo in a score, or other settings)."""
    computed = {
        "file_total": standing.total.points,
        "file_index": standing.total.shown_index,
        "file_rank": standing.rank,
    }
    changes = []
    for key, what, close in FILE_FIGURES:
        file_value, app_value = written.get(key), computed[key]
        if file_value is None:
            continue
        if app_value is None or abs(file_value - app_value) >= close:
            shown = (
                (cell_text(file_value), str(app_value or "—"))
                if key == "file_rank"
                else (number_text(file_value), number_text(app_value))
            )
            changes.append(Change(unit.name, what(), *shown))
    return changes


def _summary(year, flatten, targets, count, leaving, settings, ranking) -> str:
    shape = (
        _(
            "theo lĩnh vực (%(n)s cột); bộ chỉ số của năm sẽ được thay bằng các lĩnh vực "
            "chấm điểm trực tiếp"
        )
        if flatten
        else _("theo từng tiêu chí thành phần (%(n)s cột)")
    ) % {"n": len(targets)}
    summary = _(
        "%(units)s đơn vị, điểm %(shape)s; kỳ đánh giá sẽ được công bố, tổng điểm và hạng do "
        "phần mềm tính từ điểm đã nhập."
    ) % {"units": count, "shape": shape}
    rules_text = _(
        "xếp đồng hạng %(ties)s, điểm thưởng tối đa %(bonus)s, điểm trừ tối đa %(deduction)s"
    ) % {
        "ties": AssessmentYear.TiePolicy(ranking.tie_policy).label,
        "bonus": number_text(ranking.bonus_max),
        "deduction": number_text(ranking.deduction_max),
    }
    if settings is not None:
        summary += " " + _("Xếp hạng theo thiết lập trong tệp: %(rules)s.") % {"rules": rules_text}
    else:
        summary += " " + _(
            "Tệp không có trang “%(sheet)s”: xếp hạng theo thiết lập hiện tại của năm (%(rules)s)."
        ) % {"sheet": SETTINGS_SHEET, "rules": rules_text}
    if leaving:
        summary += " " + _(
            "%(n)s đơn vị không có trong tệp sẽ bị bỏ khỏi kỳ đánh giá: %(units)s."
        ) % {
            "n": len(leaving),
            "units": ", ".join(a.unit.name for a in leaving),
        }
    return summary
