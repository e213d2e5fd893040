"""The results template's sheet "Thiết lập xếp hạng": how the year ranks, as its regulation
said (tie policy, caps on bonus and deductions, bands), so a past year is reproduced exactly.

One table, "Thiết lập" | "Giá trị" | "Từ chỉ số" | "Ghi chú": a row for the tie policy, one
for each cap, and one "Xếp loại" row per band (its label under "Giá trị", its lower bound
under "Từ chỉ số"). The sheet is the whole of the year's settings: a band without its row
is dropped. A workbook without the sheet leaves the year's settings as they are.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...exporters.base import Column, SheetWriter
from ...models import AssessmentYear
from ...services.history import YearSettings
from ...services.years import BAND_LABEL_MAX, CAP_MAX, band_text, settings_problems
from ..base import (
    NUMBER_EXPECTED,
    ColumnSpec,
    Problem,
    Table,
    both_languages,
    cell_decimal,
    cell_text,
    is_blank,
    normalize,
    read_table,
)

SETTINGS_SHEET = gettext_lazy("Thiết lập xếp hạng")
SPECS = [
    ColumnSpec("name", gettext_lazy("Thiết lập")),
    ColumnSpec("value", gettext_lazy("Giá trị")),
    ColumnSpec("bound", gettext_lazy("Từ chỉ số"), required=False),
]
TIE = gettext_lazy("Cách xếp đồng hạng")
BONUS = gettext_lazy("Điểm thưởng tối đa")
DEDUCTION = gettext_lazy("Điểm trừ tối đa")
BAND = gettext_lazy("Xếp loại")
CENT = Decimal("0.01")


def tie_policy_of(text: str) -> str | None:
    """The tie policy a cell names: its code, or its label in either language, or just the
    ranks it gives ("1, 1, 3" / "1-1-2"), which the labels end with."""
    policies = AssessmentYear.TiePolicy
    if normalize(text) in policies.values:
        return normalize(text)
    ranks = re.sub(r"\D", "", text)
    return {"113": policies.COMPETITION, "112": policies.DENSE}.get(ranks)


def settings_sheet(workbook, year: AssessmentYear) -> None:
    """Add the sheet, pre-filled with the year's current settings (write-only workbook)."""
    sheet = SheetWriter(
        workbook,
        str(SETTINGS_SHEET),
        [
            Column(_("Thiết lập"), 24),
            Column(_("Giá trị"), 40),
            Column(_("Từ chỉ số"), 12),
            Column(_("Ghi chú"), 70),
        ],
        titles=[
            _("Thiết lập xếp hạng năm %(year)s · %(level)s")
            % {"year": year.year, "level": year.unit_level.name},
            _(
                "Ghi đúng thiết lập của năm đó: năm được xếp hạng theo trang này. Mỗi xếp loại "
                "một dòng “Xếp loại”; không có xếp loại thì xóa các dòng đó."
            ),
        ],
    )
    sheet.append(
        [
            str(TIE),
            year.get_tie_policy_display(),
            None,
            _("“1, 1, 3”: đồng hạng, bỏ hạng kế tiếp; “1, 1, 2”: đồng hạng, không bỏ hạng."),
        ]
    )
    cap_note = _("Số từ 0 đến 100, tối đa 2 chữ số thập phân.")
    sheet.append([str(BONUS), year.bonus_max, None, cap_note])
    sheet.append([str(DEDUCTION), year.deduction_max, None, cap_note])
    for band in year.bands.all():
        sheet.append(
            [
                str(BAND),
                band.label,
                band.lower_bound,
                _("Tên xếp loại và chỉ số thấp nhất của xếp loại (0 đến 100)."),
            ]
        )


def find_settings_sheet(workbook):
    wanted = {name[:31] for name in both_languages(SETTINGS_SHEET)}
    return next((s for s in workbook.worksheets if normalize(s.title) in wanted), None)


def read_settings(workbook, problems: list[Problem]) -> YearSettings | None:
    """The settings the workbook's sheet gives, or ``None`` when it has no such sheet (or when
    the sheet has problems, added to ``problems``)."""
    sheet = find_settings_sheet(workbook)
    if sheet is None:
        return None
    table = read_table(sheet, SPECS, problems)
    if table is None:
        return None
    found = len(problems)
    names = {
        key: both_languages(label)
        for key, label in (("tie", TIE), ("bonus", BONUS), ("deduction", DEDUCTION), ("band", BAND))
    }
    values: dict[str, object] = {}
    seen: dict[str, int] = {}
    bands: list[tuple[str, Decimal]] = []
    band_rows: dict[str, int] = {}
    bound_rows: dict[Decimal, int] = {}
    for number, row in table.rows:
        name = cell_text(table.value(row, "name"))
        key = next((k for k, labels in names.items() if normalize(name) in labels), None)
        where = table.where(number, "name")
        if key is None:
            problems.append(
                Problem(
                    **where,
                    message=(
                        _("không có thiết lập “%(name)s”; các dòng được đọc: %(known)s")
                        if name
                        else _("thiếu tên thiết lập; các dòng được đọc: %(known)s")
                    )
                    % {
                        "name": name,
                        "known": ", ".join(f"“{x}”" for x in (TIE, BONUS, DEDUCTION, BAND)),
                    },
                )
            )
            continue
        if key == "band":
            band = _band(table, number, row, problems, band_rows, bound_rows)
            if band is not None:
                bands.append(band)
            continue
        if key in seen:
            problems.append(
                Problem(
                    **where,
                    message=_("“%(name)s” đã có ở dòng %(row)s") % {"name": name, "row": seen[key]},
                )
            )
            continue
        seen[key] = number
        raw = table.value(row, "value")
        at = table.where(number, "value")
        if key == "tie":
            policy = tie_policy_of(cell_text(raw))
            if policy is None:
                problems.append(
                    Problem(
                        **at,
                        message=_(
                            "cách xếp đồng hạng “%(value)s” không có; ghi “1, 1, 3” (đồng hạng, "
                            "bỏ hạng kế tiếp) hoặc “1, 1, 2” (đồng hạng, không bỏ hạng)"
                        )
                        % {"value": cell_text(raw)},
                    )
                )
            values[key] = policy
        else:
            values[key] = _points(raw, at, problems, upper=CAP_MAX)
    for key, label in (("tie", TIE), ("bonus", BONUS), ("deduction", DEDUCTION)):
        if key not in seen:
            problems.append(
                Problem(sheet=table.sheet, message=_("thiếu dòng “%(name)s”") % {"name": label})
            )
    if len(problems) > found:
        return None
    settings = YearSettings(
        tie_policy=values["tie"],
        bonus_max=values["bonus"],
        deduction_max=values["deduction"],
        bands=tuple(sorted(bands, key=lambda band: band[1], reverse=True)),
    )
    # The service's own checks, which the cells above already cover: a safety net, placeless.
    remaining = settings_problems(
        tie_policy=settings.tie_policy,
        bonus_max=settings.bonus_max,
        deduction_max=settings.deduction_max,
        bands=settings.bands,
    )
    if remaining:
        problems += [Problem(sheet=table.sheet, message=m) for m in remaining]
        return None
    return settings


def _points(raw, where: dict, problems: list[Problem], *, upper: Decimal) -> Decimal | None:
    """A number of 0..``upper`` with at most 2 decimals, or a problem at ``where``."""
    try:
        number = cell_decimal(raw)
    except ValueError:
        problems.append(Problem(**where, message=str(NUMBER_EXPECTED % cell_text(raw))))
        return None
    if number is None:
        message = _("thiếu giá trị")
    elif number < 0:
        message = _("không được là số âm (đang là %(n)s)") % {"n": cell_text(raw)}
    elif number > upper:
        message = _("không được lớn hơn %(max)s (đang là %(n)s)") % {
            "max": format(upper.normalize(), "f"),
            "n": cell_text(raw),
        }
    elif number != number.quantize(CENT):
        message = _("tối đa 2 chữ số thập phân (đang là %(n)s)") % {"n": cell_text(raw)}
    else:
        return number
    problems.append(Problem(**where, message=message))
    return None


def _band(
    table: Table,
    number: int,
    row: tuple,
    problems: list[Problem],
    labels: dict[str, int],
    bounds: dict[Decimal, int],
) -> tuple[str, Decimal] | None:
    """One "Xếp loại" row: its label and lower bound, each once in the sheet."""
    label = cell_text(table.value(row, "value"))
    at = table.where(number, "value")
    ok = True
    if not label:
        problems.append(Problem(**at, message=_("thiếu tên xếp loại")))
        ok = False
    elif len(label) > BAND_LABEL_MAX:
        problems.append(
            Problem(**at, message=_("tên xếp loại dài quá %(n)s ký tự") % {"n": BAND_LABEL_MAX})
        )
        ok = False
    elif label.casefold() in labels:
        problems.append(
            Problem(
                **at,
                message=_("xếp loại “%(label)s” đã có ở dòng %(row)s")
                % {"label": label, "row": labels[label.casefold()]},
            )
        )
        ok = False
    else:
        labels[label.casefold()] = number
    if "bound" not in table.columns:
        problems.append(
            Problem(
                **table.where(number, "name"),
                message=_("xếp loại cần cột “%(column)s”") % {"column": SPECS[2].label},
            )
        )
        return None
    where = table.where(number, "bound")
    raw = table.value(row, "bound")
    bound = _points(raw, where, problems, upper=Decimal(100)) if not is_blank(raw) else None
    if is_blank(raw):
        problems.append(Problem(**where, message=_("thiếu chỉ số thấp nhất của xếp loại")))
    if bound is None:
        return None
    if bound in bounds:
        problems.append(
            Problem(
                **where,
                message=_("mốc %(bound)s đã dùng cho xếp loại ở dòng %(row)s")
                % {"bound": format(bound.normalize(), "f"), "row": bounds[bound]},
            )
        )
        return None
    bounds[bound] = number
    return (label, bound) if ok else None


def settings_changes(old: YearSettings, new: YearSettings) -> list[tuple[str, str, str]]:
    """(what, old, new) for each setting the file changes, as the preview shows them."""
    labels = dict(AssessmentYear.TiePolicy.choices)

    def bands(settings: YearSettings) -> str:
        return "; ".join(band_text(label, lower) for label, lower in settings.bands) or _(
            "(không xếp loại)"
        )

    def points(value: Decimal) -> str:
        return format(value.normalize(), "f")

    pairs = [
        (str(TIE), str(labels[old.tie_policy]), str(labels[new.tie_policy])),
        (str(BONUS), points(old.bonus_max), points(new.bonus_max)),
        (str(DEDUCTION), points(old.deduction_max), points(new.deduction_max)),
        (_("Các xếp loại"), bands(old), bands(new)),
    ]
    return [(what, a, b) for what, a, b in pairs if a != b]
