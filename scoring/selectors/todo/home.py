"""The home page's "Việc cần làm": each person's work now, by role, most urgent first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from units.collation import name_key
from units.models import Unit
from units.roles import Roles

from ...models import Assessment, AssessmentYear, FieldAssignment, FrameworkNode
from ..entry import explanation_open, window_open
from ..results import units_of, years_for
from ..years import step_blockers
from .deadlines import APPRAISAL_ROUNDS, STEP_DEADLINES, UNIT_STATES, Due, due_of
from .work import Pending, appraisal_work, fixes_of, flagged_of, load_work, unit_has_work

State = AssessmentYear.State
BLOCKERS_SHOWN = 5  # on the home page; the year's page lists them all


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Task:
    text: str  # the link's words
    url: str
    detail: str = ""  # what is left there, after the link
    links: tuple[Link, ...] = ()  # the places of the work when it has several


@dataclass
class Group:
    """The work of one year (and one unit, for its staff): its deadline and its tasks."""

    year: AssessmentYear
    role: str  # "unit", "appraisal" (an appraiser's fields) or "admin" (running the year)
    heading: str
    url: str  # where the work is; the deadline links here
    due: Due | None
    tasks: list[Task]
    order: tuple = ()


@dataclass
class HomePage:
    years: list[AssessmentYear]
    my_units: list[Unit]
    todo: list[Group]
    latest_ranking: AssessmentYear | None  # for viewers, and whoever has nothing to do now

    @property
    def history_levels(self):
        """Levels with a published year have a history to show."""
        return list({y.unit_level_id: y.unit_level for y in self.years if y.is_published}.values())


def _year_label(year: AssessmentYear) -> dict:
    return {"year": year.year, "level": year.unit_level.name}


def _self_assessment_group(work, assessment, roles, now) -> Group:
    year, unit = assessment.year, assessment.unit
    entry = reverse("entry", args=[year.pk, unit.code])
    tasks = []
    if window_open(assessment, now):
        fixes = fixes_of(work, assessment)
        for fix in fixes:
            url = reverse("entry_field", args=[year.pk, unit.code, fix.field.code])
            text = _("Lĩnh vực %(code)s. %(title)s") % {
                "code": fix.field.code,
                "title": fix.field.title,
            }
            tasks.append(Task(text, url, detail=fix.text))
        if unit.pk in roles.leader_of:
            text = (
                _("Gửi bản tự đánh giá (sau khi nhập đủ các tiêu chí trên)")
                if any(f.blocking for f in fixes)
                else _("Gửi bản tự đánh giá cho Sở Nội vụ")
            )
            tasks.append(Task(text, reverse("entry_submit", args=[year.pk, unit.code])))
        elif not fixes:
            tasks.append(Task(_("Đã nhập đủ: chờ lãnh đạo đơn vị gửi bản tự đánh giá"), entry))
    elif year.self_assessment_opens and now < year.self_assessment_opens:
        when = formats.date_format(timezone.localtime(year.self_assessment_opens), "d/m/Y H:i")
        tasks.append(Task(_("Tự đánh giá mở từ %(when)s") % {"when": when}, entry))
    else:
        text = _("Đã hết hạn mà bản tự đánh giá chưa được gửi: hãy liên hệ Sở Nội vụ.")
        tasks.append(Task(text, entry))
    heading = _("%(unit)s · Tự đánh giá năm %(year)s") % {"unit": unit.name, "year": year.year}
    return Group(year, "unit", heading, entry, due_of(year, "self_assessment_closes", now), tasks)


def _explanation_group(work, assessment, roles, now) -> Group:
    year, unit = assessment.year, assessment.unit
    url = reverse("explanation", args=[year.pk, unit.code])
    flagged, unanswered = flagged_of(work, assessment)
    tasks = []
    if explanation_open(assessment, now):
        if unanswered:
            text = ngettext(
                "%(n)d tiêu chí yêu cầu giải trình chưa trả lời (trong %(total)d)",
                "%(n)d tiêu chí yêu cầu giải trình chưa trả lời (trong %(total)d)",
                unanswered,
            ) % {"n": unanswered, "total": flagged}
            tasks.append(Task(text, url))
        if unit.pk in roles.leader_of:
            tasks.append(Task(_("Gửi giải trình cho Sở Nội vụ"), url))
        elif not unanswered:
            tasks.append(Task(_("Đã trả lời đủ: chờ lãnh đạo đơn vị gửi giải trình"), url))
    else:
        tasks.append(Task(_("Đã hết hạn mà giải trình chưa được gửi: hãy liên hệ Sở Nội vụ."), url))
    heading = _("%(unit)s · Giải trình năm %(year)s") % {"unit": unit.name, "year": year.year}
    return Group(year, "unit", heading, url, due_of(year, "explanation_closes", now), tasks)


def _unit_groups(assessments, roles, now) -> list[Group]:
    open_ = [a for a in assessments if a.year.state in UNIT_STATES]
    if not open_:
        return []
    work = load_work(open_)
    groups = []
    for assessment in work.assessments:
        if not unit_has_work(work, assessment):
            continue
        make = (
            _self_assessment_group
            if assessment.year.state == State.SELF_ASSESSMENT
            else _explanation_group
        )
        group = make(work, assessment, roles, now)
        group.order = (name_key(assessment.unit.name),)
        groups.append(group)
    return groups


def _pending_tasks(items: list[Pending], round_no: int) -> list[Task]:
    """One task per unit, linking each of its fields with work left."""
    by_unit: dict[int, list[Pending]] = defaultdict(list)
    for item in items:
        by_unit[item.assessment.id].append(item)
    tasks = []
    for unit_items in by_unit.values():
        n = sum(i.count for i in unit_items)
        values = {"unit": unit_items[0].assessment.unit.name, "n": n}
        if round_no == 1:
            text = ngettext(
                "%(unit)s: %(n)d tiêu chí chưa có điểm thẩm định",
                "%(unit)s: %(n)d tiêu chí chưa có điểm thẩm định",
                n,
            )
        else:
            text = ngettext(
                "%(unit)s: %(n)d tiêu chí yêu cầu giải trình chưa thẩm định lại",
                "%(unit)s: %(n)d tiêu chí yêu cầu giải trình chưa thẩm định lại",
                n,
            )
        links = tuple(
            Link(_("lĩnh vực %(code)s (%(n)d)") % {"code": i.field.code, "n": i.count}, i.url)
            for i in unit_items
        )
        tasks.append(Task(text % values, unit_items[0].url, links=links))
    return tasks


def _appraiser_group(work, year, user, now) -> Group | None:
    items = appraisal_work(work, year).get(user.pk)
    if not items:
        return None
    round_no = APPRAISAL_ROUNDS[year.state]
    heading = (
        _("Thẩm định năm %(year)s · %(level)s")
        if round_no == 1
        else _("Thẩm định lại năm %(year)s · %(level)s")
    ) % _year_label(year)
    url = reverse("worklist", args=[year.pk])
    due = due_of(year, STEP_DEADLINES[year.state], now)
    return Group(year, "appraisal", heading, url, due, _pending_tasks(items, round_no))


def _admin_group(work, year, now) -> Group:
    url = reverse("year_state", args=[year.pk])
    # Before the year opens, the date it should open is what the admins work towards.
    name = STEP_DEADLINES.get(year.state) or (
        "self_assessment_opens" if year.state == State.PREPARING else None
    )
    due = due_of(year, name, now)
    tasks = []
    ours = [a for a in work.assessments if a.year_id == year.pk]
    blockers = step_blockers(year)
    if year.state == State.SELF_ASSESSMENT:
        waiting = [a for a in ours if a.status == Assessment.Status.DRAFT]
        if waiting:
            text = ngettext(
                "%(n)d đơn vị chưa gửi bản tự đánh giá",
                "%(n)d đơn vị chưa gửi bản tự đánh giá",
                len(waiting),
            ) % {"n": len(waiting)}
            links = tuple(
                Link(a.unit.name, reverse("entry", args=[year.pk, a.unit.code])) for a in waiting
            )
            tasks.append(Task(text, reverse("worklist", args=[year.pk]), links=links))
        # The next step's only remarks are these units, listed above in Vietnamese order.
        blockers = [b for b in blockers if b.blocking]
    if year.state in APPRAISAL_ROUNDS:
        unassigned: dict[str, tuple[FrameworkNode, int]] = {}
        for item in appraisal_work(work, year).get(None, []):
            node, count = unassigned.get(item.field.code, (item.field, 0))
            unassigned[item.field.code] = (node, count + item.count)
        for node, count in sorted(unassigned.values(), key=lambda v: v[0].sort_key):
            text = ngettext(
                "Lĩnh vực %(code)s chưa có người thẩm định: %(n)d tiêu chí còn phải chấm",
                "Lĩnh vực %(code)s chưa có người thẩm định: %(n)d tiêu chí còn phải chấm",
                count,
            ) % {"code": node.code, "n": count}
            tasks.append(Task(text, reverse("assignments", args=[year.pk])))
    blocking = [b for b in blockers if b.blocking]
    shown = sorted(blockers, key=lambda b: not b.blocking)[:BLOCKERS_SHOWN]
    tasks += [Task(b.message, b.url or url) for b in shown]
    if len(blockers) > len(shown):
        more = len(blockers) - len(shown)
        text = ngettext(
            "… và %(n)d việc khác trước bước tiếp theo",
            "… và %(n)d việc khác trước bước tiếp theo",
            more,
        ) % {"n": more}
        tasks.append(Task(text, url))
    if due is not None and due.passed and not blocking and year.next_state:
        step = State(year.next_state).label
        tasks.append(Task(_("Chuyển kỳ đánh giá sang bước «%(step)s»") % {"step": step}, url))
    heading = _("Điều hành năm %(year)s · %(level)s") % _year_label(year)
    return Group(year, "admin", heading, url, due, tasks)


def _interior_groups(years, roles, user, now) -> list[Group]:
    running = [y for y in years if not y.is_published]
    appraising = [y for y in running if y.state in APPRAISAL_ROUNDS]
    if roles.is_interior_admin:
        needed = {y.pk: y for y in running}
    elif appraising:
        # An appraiser's years are those where they hold a field.
        mine = set(
            FieldAssignment.objects.filter(year__in=appraising, appraiser=user).values_list(
                "year_id", flat=True
            )
        )
        needed = {y.pk: y for y in appraising if y.pk in mine}
    else:
        needed = {}
    if not needed:
        return []
    assessments = list(Assessment.objects.filter(year__in=needed).select_related("unit"))
    for assessment in assessments:
        assessment.year = needed[assessment.year_id]
    in_rounds = [y for y in appraising if y.pk in needed]
    work = load_work(assessments, rows_of={y.pk for y in in_rounds}, assignments=in_rounds)
    groups = []
    for year in needed.values():
        if year in in_rounds:
            # Anyone holding a field appraises it, an admin too (as the reminders count).
            group = _appraiser_group(work, year, user, now)
            if group is not None:
                groups.append(group)
        if roles.is_interior_admin:
            groups.append(_admin_group(work, year, now))
    return groups


def home_page(user, roles: Roles, *, now: dt.datetime | None = None) -> HomePage:
    """The home page: the person's work now, most urgent deadline first, then their units and
    the years they may open. A fixed number of queries whatever the number of units: years
    (1), the person's units (2), the unit staff's leaves (2); for the Interior Department the
    assignments, assessments, leaves and rows (4) and ``step_blockers`` per year in progress."""
    now = now or timezone.now()
    years = years_for(roles)
    my_units = sorted(units_of(roles), key=lambda unit: name_key(unit.name))
    groups = _unit_groups([a for u in my_units for a in u.assessments.all()], roles, now)
    if roles.is_interior_staff:
        groups += _interior_groups(years, roles, user, now)
    never = dt.datetime.max.replace(tzinfo=dt.UTC)
    groups.sort(key=lambda g: (g.due is None, g.due.at if g.due else never, g.order))
    published = [y for y in years if y.is_published]
    latest = None
    if published and (roles.is_viewer or not groups):
        latest = max(published, key=lambda y: y.year)
    return HomePage(years, my_units, groups, latest)
