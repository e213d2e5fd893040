"""The words of a notification, written when it is shown or mailed, in the active language.

A notification stores its kind and plain parameters (numbers, names, moments in ISO 8601);
``render`` turns them into a title and a body, so the bell and the mail read in the reader's
language, whenever they read it. The parameters of each kind:

``year.step``
    ``state`` (the step the year entered), ``year``, ``level``; optionally ``deadline`` (a
    name of ``AssessmentYear.DEADLINES``) and ``at`` (its moment)
``leaf.flagged``
    ``year``, ``level``, ``unit``, ``count`` (flagged leaves); optionally ``deadline``, ``at``
``assessment.submitted``, ``explanation.submitted``
    ``year``, ``level``, ``unit``
``deadline``
    ``deadline``, ``at``, ``year``, ``level``; optionally ``unit``, ``days`` (left before the
    deadline), ``work`` (the year's state), ``left`` (things still to do), ``units`` (of how
    many units, for appraisers), ``unassigned`` (field codes nobody appraises, for admins)

A missing or malformed parameter never breaks a page: the notification then reads as its
kind's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import AssessmentYear, Notification

Kind = Notification.Kind
State = AssessmentYear.State

MOMENT_FORMAT = "H:i d/m/Y"

STEP_TITLES = {
    State.SELF_ASSESSMENT: gettext_lazy("Mở tự đánh giá năm %(year)s"),
    State.APPRAISAL: gettext_lazy("Bắt đầu thẩm định năm %(year)s"),
    State.EXPLANATION: gettext_lazy("Mở vòng giải trình năm %(year)s"),
    State.FINAL_APPRAISAL: gettext_lazy("Bắt đầu thẩm định lại năm %(year)s"),
    State.PUBLISHED: gettext_lazy("Công bố kết quả năm %(year)s"),
}
STEP_BODIES = {
    State.SELF_ASSESSMENT: gettext_lazy(
        "Kỳ đánh giá năm %(year)s (%(level)s) đã mở cho các đơn vị tự đánh giá."
    ),
    State.APPRAISAL: gettext_lazy(
        "Tự đánh giá năm %(year)s (%(level)s) đã khóa. Hội đồng bắt đầu thẩm định vòng 1."
    ),
    State.EXPLANATION: gettext_lazy("Kỳ đánh giá năm %(year)s (%(level)s) đã mở vòng giải trình."),
    State.FINAL_APPRAISAL: gettext_lazy(
        "Vòng giải trình năm %(year)s (%(level)s) đã khóa. Hội đồng thẩm định lại (vòng 2) các "
        "tiêu chí đã yêu cầu giải trình."
    ),
    State.PUBLISHED: gettext_lazy("Kết quả Chỉ số CCHC năm %(year)s (%(level)s) đã được công bố."),
}


@dataclass(frozen=True)
class Text:
    title: str
    body: str


def render(kind: str, params: Mapping[str, Any]) -> Text:
    """The title and body of a notification of this kind, in the active language."""
    writer = WRITERS.get(kind)
    if writer is not None:
        try:
            return writer(params)
        except (KeyError, TypeError, ValueError):
            pass  # a row older than its kind's parameters: read it as the kind's name
    return Text(title=_kind_label(kind), body="")


def _kind_label(kind: str) -> str:
    labels = dict(Kind.choices)
    return str(labels[kind]) if kind in labels else kind


def moment(value: str | None) -> str:
    """An ISO moment as the site writes them, in local time ("" if none or unreadable)."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return ""
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return dateformat.format(timezone.localtime(parsed), MOMENT_FORMAT)


def deadline_label(name: str) -> str:
    """A deadline's name ("Hạn tự đánh giá"), from the year's own field names."""
    if name not in AssessmentYear.DEADLINES:
        raise ValueError(name)
    return capfirst(str(AssessmentYear._meta.get_field(name).verbose_name))


def _deadline_sentence(params: Mapping[str, Any]) -> str:
    """ "Hạn tự đánh giá: 17:00 30/11/2024." when the notification names a deadline."""
    name, at = params.get("deadline"), moment(params.get("at"))
    if not name or not at:
        return ""
    return _("%(what)s: %(at)s.") % {"what": deadline_label(name), "at": at}


def _joined(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _year_step(params):
    state = params["state"]
    values = {"year": params["year"], "level": params["level"]}
    return Text(
        title=str(STEP_TITLES[state]) % values,
        body=_joined(str(STEP_BODIES[state]) % values, _deadline_sentence(params)),
    )


def _flagged(params):
    count = int(params["count"])
    values = {"count": count, "unit": params["unit"], "year": params["year"]}
    return Text(
        title=ngettext(
            "%(count)s tiêu chí cần giải trình", "%(count)s tiêu chí cần giải trình", count
        )
        % values,
        body=_joined(
            ngettext(
                "Hội đồng thẩm định yêu cầu %(unit)s giải trình %(count)s tiêu chí của kỳ đánh "
                "giá năm %(year)s.",
                "Hội đồng thẩm định yêu cầu %(unit)s giải trình %(count)s tiêu chí của kỳ đánh "
                "giá năm %(year)s.",
                count,
            )
            % values,
            _deadline_sentence(params),
        ),
    )


def _submitted(params):
    values = {"unit": params["unit"], "year": params["year"], "level": params["level"]}
    return Text(
        title=_("%(unit)s đã gửi tự đánh giá năm %(year)s") % values,
        body=_("%(unit)s đã gửi bản tự đánh giá của kỳ đánh giá năm %(year)s (%(level)s).")
        % values,
    )


def _explanation_submitted(params):
    values = {"unit": params["unit"], "year": params["year"], "level": params["level"]}
    return Text(
        title=_("%(unit)s đã gửi giải trình năm %(year)s") % values,
        body=_("%(unit)s đã gửi giải trình của kỳ đánh giá năm %(year)s (%(level)s).") % values,
    )


def _deadline(params):
    what = deadline_label(params["deadline"])
    at = moment(params["at"])
    if not at:
        raise ValueError(params["at"])
    values = {"what": what, "at": at, "year": params["year"], "level": params["level"]}
    if params.get("days") is not None:
        days = int(params["days"])
        title = ngettext(
            "%(what)s năm %(year)s: còn %(days)s ngày",
            "%(what)s năm %(year)s: còn %(days)s ngày",
            days,
        ) % (values | {"days": days})
    else:
        title = _("Sắp đến hạn: %(what)s, %(at)s") % values
    sentences = [_("%(what)s của kỳ đánh giá năm %(year)s (%(level)s): %(at)s.") % values]
    if params.get("unit"):
        sentences.append(_("Đơn vị: %(unit)s.") % {"unit": params["unit"]})
    sentences.append(_work_left(params))
    if params.get("unassigned"):
        codes = ", ".join(str(code) for code in params["unassigned"])
        sentences.append(
            _("Lĩnh vực chưa phân công người thẩm định: %(codes)s.") % {"codes": codes}
        )
    return Text(title=title, body=_joined(*sentences))


def _work_left(params) -> str:
    """What the reader still has to do before the deadline, when the reminder says."""
    if params.get("left") is None:
        return ""
    left = int(params["left"])
    work = params.get("work")
    if work == State.SELF_ASSESSMENT:
        return ngettext(
            "Còn %(n)s việc cần hoàn thành trước khi gửi.",
            "Còn %(n)s việc cần hoàn thành trước khi gửi.",
            left,
        ) % {"n": left}
    if work == State.EXPLANATION:
        return ngettext(
            "Còn %(n)s tiêu chí chưa giải trình.", "Còn %(n)s tiêu chí chưa giải trình.", left
        ) % {"n": left}
    if work in (State.APPRAISAL, State.FINAL_APPRAISAL):
        units = int(params.get("units") or 0)
        return ngettext(
            "Còn %(n)s tiêu chí chưa thẩm định, của %(units)s đơn vị.",
            "Còn %(n)s tiêu chí chưa thẩm định, của %(units)s đơn vị.",
            left,
        ) % {"n": left, "units": units}
    return ""


WRITERS = {
    Kind.YEAR_STEP: _year_step,
    Kind.FLAGGED: _flagged,
    Kind.SUBMITTED: _submitted,
    Kind.EXPLANATION_SUBMITTED: _explanation_submitted,
    Kind.DEADLINE: _deadline,
}
