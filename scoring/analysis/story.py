"""The year's story of a unit, and of a whole level, in the register of the province's reports.

"Năm 2022, Chỉ số CCHC của huyện Vũ Quang đạt 89,30/100 điểm, xếp thứ 12/13 huyện, thị xã,
thành phố. Các tiêu chí bị trừ điểm: …" (vu-quang-report-2023.txt). Pure: plain values in, text
out, in the active language (Vietnamese is the source; numbers follow the language's format)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .lost import LeafOutcome, LostItem, deductions_by_kind, final_reason, lost_items
from .phrasing import unit_in_sentence


def number(value: Decimal) -> str:
    """89.3 → "89,30" in Vietnamese, "89.30" in English: always 2 decimals."""
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def _members(members_phrase: str) -> str:
    # Its own message: in English the fallback is a plural ("units"), not "unit".
    return " ".join(members_phrase.split()) or pgettext("units of a level", "đơn vị")


def _phrase(item: LostItem) -> str:
    # Wording is data (a framework's column): a trailing full stop would double the sentence's.
    return item.phrase.strip().rstrip(".;,: ").strip()


def story_items(lost: Sequence[LostItem]) -> list[LostItem]:
    """The items a story names: survey leaves left out (a survey result is not a criterion the
    unit failed), largest loss first, whatever order they came in."""
    kept = [item for item in lost if not item.is_survey and item.lost > 0 and _phrase(item)]
    return sorted(kept, key=lambda item: -item.lost)  # stable: ties keep the given order


def _opening(
    *,
    year: int,
    unit: str,
    members: str,
    shown_index: Decimal | None,
    rank: int | None,
    ranked_units: int,
    provisional: bool,
    unscored: int,
) -> str:
    if unscored:
        return ngettext(
            "Năm %(year)s, %(unit)s còn %(n)s tiêu chí chưa có điểm thẩm định; Chỉ số CCHC "
            "chưa xác định.",
            "Năm %(year)s, %(unit)s còn %(n)s tiêu chí chưa có điểm thẩm định; Chỉ số CCHC "
            "chưa xác định.",
            unscored,
        ) % {"year": year, "unit": unit, "n": unscored}
    if shown_index is None:
        return _(
            "Năm %(year)s, %(unit)s không có tiêu chí nào được áp dụng; Chỉ số CCHC không xác định."
        ) % {"year": year, "unit": unit}
    values = {
        "year": year,
        "unit": unit,
        "index": number(shown_index),
        "rank": rank,
        "ranked": ranked_units,
        "members": members,
    }
    if rank is not None and provisional:
        return (
            _(
                "Năm %(year)s, Chỉ số CCHC của %(unit)s đạt %(index)s/100 điểm (tạm tính), xếp "
                "thứ %(rank)s/%(ranked)s %(members)s."
            )
            % values
        )
    if rank is not None:
        return (
            _(
                "Năm %(year)s, Chỉ số CCHC của %(unit)s đạt %(index)s/100 điểm, xếp thứ "
                "%(rank)s/%(ranked)s %(members)s."
            )
            % values
        )
    if provisional:
        return _("Năm %(year)s, Chỉ số CCHC của %(unit)s đạt %(index)s/100 điểm (tạm tính).") % (
            values
        )
    return _("Năm %(year)s, Chỉ số CCHC của %(unit)s đạt %(index)s/100 điểm.") % values


def _lost_sentence(items: Sequence[LostItem], *, so_far: bool) -> str:
    if not items:
        if so_far:
            return _("Đến nay đơn vị chưa bị trừ điểm ở tiêu chí nào.")
        return _("Đơn vị không bị trừ điểm ở tiêu chí nào.")
    joined = "; ".join(_phrase(item) for item in items)
    if len(items) == 1:
        if so_far:
            return _("Tiêu chí bị trừ điểm đến nay: %(items)s.") % {"items": joined}
        return _("Tiêu chí bị trừ điểm: %(items)s.") % {"items": joined}
    if so_far:
        return _("Các tiêu chí bị trừ điểm đến nay: %(items)s.") % {"items": joined}
    return _("Các tiêu chí bị trừ điểm: %(items)s.") % {"items": joined}


def unit_story(
    *,
    year: int,
    unit_name: str,
    members_phrase: str,
    shown_index: Decimal | None,
    rank: int | None,
    ranked_units: int,
    lost: Sequence[LostItem],
    provisional: bool,
    unscored: int = 0,
) -> str:
    """A unit's year in two sentences: its index out of 100 and its rank among the level's
    units (``members_phrase``: "huyện, thị xã, thành phố"; blank: "đơn vị"), then what it was
    marked down for, said as what was missing, largest loss first.

    ``provisional``: not published yet, the figures may change. ``unscored``: leaves with no
    appraised score yet; the index is then not stated (it would count them as zero) and the
    lost points are those found so far. ``shown_index`` None: nothing was applicable."""
    unit = unit_in_sentence(unit_name)
    opening = _opening(
        year=year,
        unit=unit,
        members=_members(members_phrase),
        shown_index=shown_index,
        rank=rank if ranked_units else None,
        ranked_units=ranked_units,
        provisional=provisional,
        unscored=unscored,
    )
    if shown_index is None and not unscored:
        return opening
    return f"{opening} {_lost_sentence(story_items(lost), so_far=bool(unscored))}"


@dataclass(frozen=True)
class UnitIndex:
    """One unit's place in a year, for the level's story."""

    name: str
    shown_index: Decimal | None
    rank: int | None


def year_story(
    *,
    year: int,
    members_phrase: str,
    units: Sequence[UnitIndex],
    provisional: bool,
    bands: Sequence[tuple[str, int]] = (),
) -> str:
    """A level's year in a paragraph, for the province's report: how many units, the average
    index, the first and the last, and how many units fall in each band (label, count)."""
    members = _members(members_phrase)
    indexed = [u for u in units if u.shown_index is not None]
    if not indexed:
        return _("Năm %(year)s, chưa có %(members)s nào có Chỉ số CCHC.") % {
            "year": year,
            "members": members,
        }
    average = sum((u.shown_index for u in indexed), Decimal(0)) / len(indexed)
    text = _(
        "Năm %(year)s, %(n)s %(members)s được đánh giá; Chỉ số CCHC bình quân đạt "
        "%(average)s/100 điểm."
    ) % {
        "year": year,
        "n": len(units),
        "members": members,
        "average": number(average.quantize(Decimal("0.01"))),
    }
    if provisional:
        text += " " + _("Kết quả tạm tính, chưa công bố.")
    ranked = sorted((u for u in indexed if u.rank is not None), key=lambda u: u.rank)
    if len(ranked) > 1:
        first = [u for u in ranked if u.rank == ranked[0].rank]
        last = [u for u in ranked if u.rank == ranked[-1].rank]
        text += " " + _(
            "Dẫn đầu là %(first)s (%(first_index)s điểm); thấp nhất là %(last)s "
            "(%(last_index)s điểm)."
        ) % {
            "first": ", ".join(unit_in_sentence(u.name) for u in first),
            "first_index": number(first[0].shown_index),
            "last": ", ".join(unit_in_sentence(u.name) for u in last),
            "last_index": number(last[0].shown_index),
        }
    counted = [(label, count) for label, count in bands]
    if counted:
        text += " " + _("Theo xếp loại: %(bands)s.") % {
            "bands": "; ".join(
                _("%(label)s: %(n)s") % {"label": label, "n": count} for label, count in counted
            )
        }
    return text


# ---------------------------------------------------------------------------------------------
# From the scorecard (``selectors.unit_scorecard``): the values it has loaded, no query.


def scorecard_lost(card) -> list[LostItem]:
    """Every leaf of a scorecard below its maximum and every kind of deduction, largest loss
    first. A leaf's wording when lost comes from the tree's nodes (``NodeRow.shortfall``)."""
    leaves = []
    field_code = ""
    for line in card.lines:  # in tree order: each top-level node comes before its leaves
        if line.node.parent_code is None:
            field_code = line.node.code
        if not line.node.is_leaf:
            continue
        leaf = line.leaf
        leaves.append(
            LeafOutcome(
                code=line.node.code,
                title=line.node.title,
                field_code=field_code,
                max_points=line.max_points,
                score=line.final_points,
                not_applicable=line.not_applicable,
                is_survey=line.node.is_survey,
                reason=(
                    final_reason(
                        leaf.r2_score,
                        (leaf.r1_reason, leaf.r1_comment),
                        (leaf.r2_reason, leaf.r2_comment),
                    )
                    if leaf is not None
                    else ""
                ),
                shortfall=line.node.shortfall,
            )
        )
    # One item per kind of deduction within the year's cap, as the insight page counts them.
    deductions = deductions_by_kind(card.deductions, card.assessment.year.deduction_max)
    return lost_items(leaves, deductions)


def scorecard_story(card, lost: Sequence[LostItem] | None = None) -> str:
    """``unit_story`` of a scorecard; ``lost`` when already computed (``scorecard_lost``)."""
    assessment = card.assessment
    year = assessment.year
    return unit_story(
        year=year.year,
        unit_name=assessment.unit.name,
        members_phrase=year.unit_level.members_phrase,
        shown_index=card.total.shown_index,
        rank=card.rank,
        ranked_units=card.ranked_units,
        lost=scorecard_lost(card) if lost is None else lost,
        provisional=not year.is_published,
        unscored=card.unscored,
    )
