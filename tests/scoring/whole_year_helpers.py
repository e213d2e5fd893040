"""Helpers of the whole-year test: a small level of its own, the forms of a page as a browser
sends them back, and a reader of the audit log that checks each action left exactly its lines."""

from __future__ import annotations

import datetime as dt
import pprint
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from scoring.models import AuditEvent, FrameworkNode
from scoring.services import NodeSpec, create_framework
from units.models import Membership, Unit, UnitLevel
from units.roles import SYSTEM_ADMIN

D = Decimal
INTERIOR = FrameworkNode.FilledBy.INTERIOR


# --- the year's level, units, people and framework ---------------------------------------------


def nodes() -> list[NodeSpec]:
    """Two fields, total 10: a manual leaf (step 0.5), a binary one, a survey leaf the Interior
    Department fills."""
    return [
        NodeSpec("1", "Cải cách thể chế", D("6")),
        NodeSpec("1.1", "Chất lượng văn bản", D("4"), rule="manual", params={"step": "0.5"}),
        NodeSpec("1.2", "Có kế hoạch CCHC", D("2"), rule="binary"),
        NodeSpec("2", "Sự hài lòng", D("4")),
        NodeSpec("2.1", "Điều tra xã hội học", D("4"), rule="survey", filled_by=INTERIOR),
    ]


@dataclass
class UnitStaff:
    unit: Unit
    officer: User
    leader: User


def build_level() -> tuple[UnitLevel, Any, list[UnitStaff]]:
    """A level of its own with two units, an officer and a leader each, and a framework."""
    level = UnitLevel.objects.create(code="cap-ca-nam", name="Cấp thử cả năm", order=50)
    staff = []
    for letter in ("a", "b"):
        unit = Unit.objects.create(
            level=level, code=f"xa-thu-{letter}", name=f"Xã Thử {letter.upper()}", kind="xa"
        )
        people = []
        for role, title in (("officer", "Cán bộ"), ("leader", "Lãnh đạo")):
            user = User.objects.create_user(
                username=f"thu{letter}.{role}",
                password="x",
                first_name=f"{title} Xã Thử {letter.upper()}",
            )
            Membership.objects.create(user=user, unit=unit, role=role)
            people.append(user)
        staff.append(UnitStaff(unit, *people))
    framework = create_framework(
        roles=SYSTEM_ADMIN,
        name="Bộ chỉ số thử cả năm",
        unit_level=level,
        nodes=nodes(),
        max_points=D(10),
    )
    return level, framework, staff


# --- moments ------------------------------------------------------------------------------------


def in_days(days: float) -> dt.datetime:
    """A moment as a datetime-local input holds it: to the minute."""
    return (timezone.now() + dt.timedelta(days=days)).replace(second=0, microsecond=0)


def typed(when: dt.datetime) -> str:
    """A moment as the browser sends a datetime-local input."""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def logged(when: dt.datetime | None) -> str | None:
    """A moment as the log keeps it: ISO, in local time."""
    return None if when is None else timezone.localtime(when).isoformat()


class Recent:
    """Any ISO moment of the last few minutes (a submission's time, a publication's)."""

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        try:
            moment = dt.datetime.fromisoformat(other)
        except ValueError:
            return False
        return abs(timezone.now() - moment) < dt.timedelta(minutes=5)

    def __repr__(self):
        return "<a recent moment>"


RECENT = Recent()


# --- pages --------------------------------------------------------------------------------------


def browser_data(*page_forms: forms.Form) -> dict[str, str]:
    """What a browser sends back from unbound forms left as the page showed them: each input
    with its shown value (figures in the user's format), ticked boxes as "on", unticked boxes
    and unchosen radios not at all, files never."""
    data: dict[str, str] = {}
    for form in page_forms:
        for bound in form:
            widget, value = bound.field.widget, bound.value()
            if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(widget, forms.RadioSelect) and value in (None, ""):
                continue
            shown = widget.format_value(value)
            if isinstance(widget, forms.widgets.ChoiceWidget):  # the chosen option(s)
                shown = shown[0] if shown else ""
            data[bound.html_name] = "" if shown is None else str(shown)
    return data


def messages_of(response) -> list[str]:
    context = getattr(response, "context", None)
    if not context or "messages" not in context:
        return []
    return [str(m) for m in context["messages"]]


def form_errors(response) -> str:
    """The page's messages and every bound form's errors, to say why a post was refused."""
    found = [*messages_of(response)]
    for context in response.context or []:
        for value in context.flatten().values():
            candidates = value if isinstance(value, list | tuple) else [value]
            for candidate in candidates:
                items = candidate if isinstance(candidate, tuple) else (candidate,)
                for item in items:
                    bound = isinstance(item, forms.BaseForm | forms.BaseFormSet) and item.is_bound
                    if bound and item.errors:
                        found.append(f"{type(item).__name__}: {item.errors!r}")
    return "\n".join(dict.fromkeys(found)) or "(no message)"


# --- the log ------------------------------------------------------------------------------------


@dataclass
class Expected:
    """One line the log must hold: its kind, who, old → new, and whatever else is named."""

    kind: str
    actor: User
    changes: dict[str, list]
    source: str
    other: dict[str, Any] = field(default_factory=dict)


def describe(events) -> str:
    return pprint.pformat(
        [
            {
                "kind": e.kind,
                "actor": e.actor_name,
                "path": e.path,
                "source": e.source,
                "year": e.year_id,
                "unit": e.unit_id,
                "node": e.node_code,
                "target": e.target,
                "changes": e.changes,
                "note": e.note,
            }
            for e in events
        ],
        width=110,
    )


def actor_name(user: User) -> str:
    """How the log names a person (the name as it was, with the account)."""
    name = user.get_full_name().strip() or user.username
    return f"{name} ({user.username})" if name != user.username else name


class LogReader:
    """Reads the log from where it was last read: each action must have left exactly the lines
    expected of it, in order, by the page, signed by the person who acted."""

    def __init__(self):
        self.mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.seen: list[AuditEvent] = []

    def new(self) -> list[AuditEvent]:
        events = list(
            AuditEvent.objects.filter(pk__gt=self.mark).select_related("actor").order_by("pk")
        )
        if events:
            self.mark = events[-1].pk
        self.seen += events
        return events

    def expect(self, what: str, year, *expected: Expected) -> list[AuditEvent]:
        events = self.new()
        context = f"{what}: the log holds\n{describe(events)}"
        assert len(events) == len(expected), context
        for event, want in zip(events, expected, strict=True):
            context = f"{what}: expected {want!r}\nbut the log holds\n{describe(events)}"
            assert event.kind == want.kind, context
            assert event.path == AuditEvent.Path.PAGE, context
            assert event.source == want.source, context
            assert event.actor == want.actor, context
            assert event.actor_name == actor_name(want.actor), context
            assert event.year_id == year.pk, context
            assert event.changes == want.changes, context
            for name, value in want.other.items():
                assert getattr(event, name) == value, f"{name}: {context}"
        return events

    def nothing(self, what: str) -> None:
        events = self.new()
        assert not events, f"{what} should record nothing; the log holds\n{describe(events)}"
