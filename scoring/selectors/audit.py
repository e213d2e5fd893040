"""The audit log as its pages and its download read it: a year's events for the Interior
Department, a unit's for its own staff; filtered, paginated, in words and the user's formats.

A year's log holds the events recorded against the year (``AuditEvent.year``). Events with no
year, even about the year's units (memberships, accounts, reference lists), are left out: they
belong to no year, and the year's log is not the place to audit accounts.

What a unit's own staff see of their unit's log (``LogScope.full`` off): the log must not tell
them what their other pages do not.

* The unit's own work: self-assessment, evidence, explanation, submission and withdrawal, and
  the baseline of its data (``UNIT_KINDS``), with who did it.
* The Interior Department's work on the unit, appraisal, survey, bonus/deduction ledger and
  imported results (``RESULT_KINDS``): only once the year is published, as its scores are, and
  then signed "Sở Nội vụ": the unit's pages never name its appraisers.
* Nothing else: year steps, deadlines, settings and assignments are the Department's own, and
  a kind added later stays hidden until it is listed here.
* Within what they see, appraisal values (rounds 1 and 2, the request to explain) are dropped
  from the changes before publication, and the names of appraisers always.

The Interior Department (``full``) sees every event with every name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.collation import VietnameseOrder
from units.models import Membership, Unit

from ..models import (
    Adjustment,
    AppraisalReason,
    Assessment,
    AssessmentYear,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    FrameworkNode,
    LeafScore,
)
from ..models.audit import AuditEvent
from .entry import describe_declared

Kind = AuditEvent.Kind

PER_PAGE = 100
UNIT_KINDS = frozenset(
    {Kind.SELF, Kind.EVIDENCE, Kind.EXPLANATION, Kind.SUBMIT, Kind.WITHDRAW, Kind.BASELINE}
)
RESULT_KINDS = frozenset(
    {Kind.APPRAISAL, Kind.SURVEY, Kind.LEDGER_ADD, Kind.LEDGER_REMOVE, Kind.RESULTS}
)
# Appraisal values a unit does not see before publication, wherever an event carries them.
APPRAISAL_NAMES = frozenset(
    {
        "r1_score",
        "r1_reason",
        "r1_comment",
        "r2_score",
        "r2_reason",
        "r2_comment",
        "flagged",
        "appraisal_version",
    }
)
# Who appraised: never shown to a unit.
APPRAISER_NAMES = frozenset({"appraised_by", "appraiser", "appraisers"})
NO_PERSON = "-"  # the person filter's value for events nobody signed (demo data, the system)

# Names that are not a model field's, or whose field's name would mislead.
EXTRA_LABELS = {
    "units": gettext_lazy("số đơn vị"),
    "appraisers": gettext_lazy("người thẩm định"),
    "bands": gettext_lazy("xếp loại"),
    "framework": gettext_lazy("bộ chỉ số"),
    "state": gettext_lazy("bước"),
    "file": gettext_lazy("tệp"),
}
# The models whose fields events name; the first to have a name gives its label.
LABELLED_MODELS = (
    LeafScore,
    AssessmentYear,
    Assessment,
    Adjustment,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    Membership,
    Unit,
    User,
)
REASON_NAMES = ("r1_reason", "r2_reason")


@cache
def _fields() -> dict[str, models.Field]:
    found: dict[str, models.Field] = {}
    for model in LABELLED_MODELS:
        for model_field in model._meta.get_fields():
            if getattr(model_field, "concrete", False):
                found.setdefault(model_field.name, model_field)
    return found


def label_of(name: str) -> str:
    """A changed name as people read it ("self_score" → "Điểm tự chấm"); unknown names as
    they are."""
    if name in EXTRA_LABELS:
        return capfirst(str(EXTRA_LABELS[name]))
    model_field = _fields().get(name)
    return capfirst(str(model_field.verbose_name)) if model_field is not None else name


@dataclass(frozen=True)
class LogFilters:
    unit: int | None = None  # a unit's id (the year's log)
    field_code: str = ""
    person: str = ""  # an actor's name as recorded, or NO_PERSON
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class LogScope:
    """Whose log (a year's, or one unit's of it) and how much of it the reader may see."""

    year: AssessmentYear
    unit: Unit | None
    full: bool
    nodes: Mapping[str, FrameworkNode]  # by code: the fields to filter on, declared figures
    reasons: Mapping[str, str]  # appraisal reasons' labels by code

    @property
    def kinds(self) -> list[str]:
        """The kinds the reader may see, in the order of ``AuditEvent.Kind``."""
        shown = UNIT_KINDS | (RESULT_KINDS if self.year.is_published else frozenset())
        return [kind for kind in Kind.values if self.full or kind in shown]

    @property
    def fields(self) -> list[FrameworkNode]:
        return [node for node in self.nodes.values() if node.parent_id is None]


def log_scope(year: AssessmentYear, *, unit: Unit | None = None, full: bool) -> LogScope:
    """The scope of a log page or download: 2 queries (the framework's nodes, the reasons)."""
    nodes = FrameworkNode.objects.filter(framework_id=year.framework_id).order_by("sort_key")
    return LogScope(
        year=year,
        unit=unit,
        full=full,
        nodes={node.code: node for node in nodes},
        reasons=dict(AppraisalReason.objects.values_list("code", "label")),
    )


def _events(scope: LogScope) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(year=scope.year)
    if scope.unit is not None:
        events = events.filter(unit=scope.unit)
    if not scope.full:
        events = events.filter(kind__in=scope.kinds)
    return events


def log_events(scope: LogScope, filters: LogFilters) -> QuerySet[AuditEvent]:
    """The events a reader may see, filtered, newest first (a lazy queryset)."""
    events = _events(scope)
    if filters.unit is not None:
        events = events.filter(unit_id=filters.unit)
    if filters.field_code:
        events = events.filter(field_code=filters.field_code)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.person == NO_PERSON:
        events = events.filter(actor_name="")
    elif filters.person:
        events = events.filter(actor_name=filters.person)
        if not scope.full:
            events = events.exclude(kind__in=RESULT_KINDS)  # signed "Sở Nội vụ" for the unit
    # Whole local days, as bounds on the indexed column rather than a date cast of it.
    if filters.date_from is not None:
        events = events.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        events = events.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return events.select_related("unit").order_by("-at", "-pk")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class LogOptions:
    units: list[Unit]
    people: list[str]


def log_options(scope: LogScope) -> LogOptions:
    """What the filters offer: the year's units (its log only: 1 query) and the people who
    appear in the log (1 query), an appraiser not among them for a unit's staff."""
    units = []
    if scope.unit is None:
        units = [
            a.unit
            for a in Assessment.objects.filter(year=scope.year)
            .select_related("unit")
            .order_by(VietnameseOrder("unit__name"))
        ]
    named = _events(scope).exclude(actor_name="")
    if not scope.full:
        named = named.exclude(kind__in=RESULT_KINDS)
    people = list(named.order_by("actor_name").values_list("actor_name", flat=True).distinct())
    return LogOptions(units=units, people=people)


@dataclass(frozen=True)
class LogChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class LogLine:
    at: dt.datetime
    who: str
    path: str
    source: str
    kind: str
    unit: str
    code: str  # the leaf's or the field's code
    target: str
    changes: list[LogChange] = field(default_factory=list)
    note: str = ""

    @property
    def changes_text(self) -> str:
        return "\n".join(f"{c.label}: {c.old} → {c.new}" for c in self.changes)


@dataclass(frozen=True)
class LogPage:
    page: Page
    lines: list[LogLine]


def log_page(scope: LogScope, filters: LogFilters, number: Any) -> LogPage:
    """One page of the log: 2 queries (the count, the page's events with their units). A
    page number out of range or not a number gives the nearest page."""
    page = Paginator(log_events(scope, filters), PER_PAGE).get_page(number)
    return LogPage(page=page, lines=list(log_lines(scope, page.object_list)))


def log_lines(scope: LogScope, events: Iterable[AuditEvent]) -> Iterator[LogLine]:
    """Each event as a line (no query: the events come with their units)."""
    for event in events:
        yield _line(scope, event)


def _line(scope: LogScope, event: AuditEvent) -> LogLine:
    # The Department's work on a unit is signed by the Department for the unit's staff.
    signed = not scope.full and event.kind in RESULT_KINDS
    who = _("Sở Nội vụ") if signed else (event.actor_name or "—")
    hidden = set() if scope.full else set(APPRAISER_NAMES)
    if not scope.full and not scope.year.is_published:
        hidden |= APPRAISAL_NAMES
    node = scope.nodes.get(event.node_code)
    changes = []
    for name, pair in (event.changes or {}).items():
        if name in hidden:
            continue
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        shown = LogChange(
            label_of(name), _value(scope, name, old, node), _value(scope, name, new, node)
        )
        changes.append(shown)
    return LogLine(
        at=event.at,
        who=who,
        path=str(AuditEvent.Path(event.path).label)
        if event.path in AuditEvent.Path.values
        else event.path,
        source=event.source,
        kind=str(Kind(event.kind).label) if event.kind in Kind.values else event.kind,
        unit=event.unit.name if event.unit_id and event.unit else "",
        code=event.node_code or event.field_code,
        target=event.target,
        changes=changes,
        note=event.note,
    )


def _value(scope: LogScope, name: str, value: Any, node: FrameworkNode | None) -> str:
    """A value as the log keeps it (``audit.display``: JSON) in words and the user's formats."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if name == "declared" and isinstance(value, dict) and node is not None and node.rule:
        return describe_declared(node, value) or "—"
    if name in REASON_NAMES and isinstance(value, str):
        return scope.reasons.get(value, value)
    if isinstance(value, dict):
        return "; ".join(f"{label_of(k)}: {_value(scope, k, v, node)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(scope, name, v, node) for v in value)
    model_field = _fields().get(name)
    text = str(value)
    if model_field is None:
        return text
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, text))
    try:
        if isinstance(model_field, models.DecimalField):
            return formats.number_format(Decimal(text), model_field.decimal_places)
        if isinstance(model_field, models.DateTimeField):
            moment = parse_datetime(text)
            if moment is not None:
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return formats.date_format(moment, "H:i d/m/Y")
        elif isinstance(model_field, models.DateField):
            day = parse_date(text)
            if day is not None:
                return formats.date_format(day, "d/m/Y")
    except (InvalidOperation, ValueError):
        pass  # shown as stored rather than not at all
    return text
