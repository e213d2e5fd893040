"""The self-assessment's rules that need no database: when entry is open, what a unit's entry
for one leaf scores, and what must be fixed or confirmed before the leader submits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import rules

STATE_SELF_ASSESSMENT = "self_assessment"
STATE_EXPLANATION = "explanation"


def entry_open(
    *, state: str, opens: dt.datetime | None, closes: dt.datetime | None, now: dt.datetime
) -> bool:
    """Units may edit while the year is in self-assessment and ``opens <= now < closes``.

    Checked on every request, so entry locks by itself at the deadline (no scheduled job).
    """
    if state != STATE_SELF_ASSESSMENT:
        return False
    if opens is not None and now < opens:
        return False
    return closes is None or now < closes


def explanation_round_open(*, state: str, closes: dt.datetime | None, now: dt.datetime) -> bool:
    """Units answer the flagged leaves while the year is in its explanation round and
    ``now < closes`` (checked on every request, like entry)."""
    return state == STATE_EXPLANATION and (closes is None or now < closes)


def unanswered(answers: Iterable[tuple[str, str]]) -> list[str]:
    """The codes of the flagged leaves, given as (code, answer), whose answer is still blank:
    the leader sees them before sending (the unit may accept a flagged score unanswered)."""
    return [code for code, answer in answers if not (answer or "").strip()]


@dataclass(frozen=True)
class LeafRule:
    """What the entry of one leaf depends on, read off its framework node."""

    code: str
    rule: str
    params: Mapping[str, Any]
    max_points: Decimal
    allows_na: bool

    @classmethod
    def of(cls, node) -> LeafRule:
        """From a framework node (anything with its attributes)."""
        return cls(node.code, node.rule, node.rule_params, node.max_points, node.allows_na)

    @property
    def step(self) -> Decimal | None:
        step = self.params.get("step") if self.rule == "manual" else None
        return Decimal(step) if step else None


def self_score(
    leaf: LeafRule,
    *,
    declared: Mapping[str, Any],
    typed_score: Any,
    not_applicable: bool,
    na_reason: str,
) -> Decimal | None:
    """The self-score a unit's entry gives, or ``DeclaredError`` naming the input at fault.

    Rule-based leaves score from their declared figures (``None`` while incomplete); manual
    leaves take the typed score; a leaf marked N/A has no score and needs a reason.
    """
    if not_applicable:
        if not leaf.allows_na:
            raise rules.DeclaredError(
                "not_applicable", _("Tiêu chí này không được đánh dấu không áp dụng.")
            )
        if not na_reason.strip():
            raise rules.DeclaredError("na_reason", _("Cần nêu lý do không áp dụng."))
        return None
    rule = rules.get_rule(leaf.rule)
    if rule.computed:
        return rules.compute_score(leaf.rule, leaf.params, leaf.max_points, declared)
    if typed_score is None or (isinstance(typed_score, str) and not typed_score.strip()):
        return None
    return rules.check_score(typed_score, leaf.max_points, leaf.step)


@dataclass(frozen=True)
class LeafStatus:
    """One unit-filled leaf as the pre-submission check sees it."""

    code: str
    title: str
    self_score: Decimal | None
    not_applicable: bool
    na_reason: str
    has_evidence: bool
    has_explanation: bool

    @property
    def is_filled(self) -> bool:
        return self.not_applicable or self.self_score is not None


# What a problem is about; the submit page groups a field's problems by it.
EMPTY, NA_WITHOUT_REASON, NO_EVIDENCE, NO_EXPLANATION = (
    "empty",
    "na_reason",
    "no_evidence",
    "no_explanation",
)
KIND_ORDER = (EMPTY, NA_WITHOUT_REASON, NO_EVIDENCE, NO_EXPLANATION)


@dataclass(frozen=True)
class Problem:
    code: str
    title: str
    message: str
    blocking: bool  # must be fixed; otherwise the leader confirms having seen it
    kind: str = ""  # one of KIND_ORDER

    @property
    def field_code(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def dom_id(self) -> str:
        return self.code.replace(".", "-")


def submission_problems(leaves: Iterable[LeafStatus]) -> list[Problem]:
    """Every leaf that is empty, N/A without a reason (both block the submission), or claims
    points without evidence or without an explanation (warnings: a leaf without evidence
    scores nothing unless explained, domain §4.2)."""
    problems = []
    for leaf in leaves:

        def add(message, blocking, kind, leaf=leaf):
            problems.append(Problem(leaf.code, leaf.title, message, blocking, kind))

        if leaf.not_applicable:
            if not leaf.na_reason.strip():
                add(_("Không áp dụng nhưng chưa nêu lý do."), True, NA_WITHOUT_REASON)
            continue
        if leaf.self_score is None:
            add(_("Chưa nhập."), True, EMPTY)
            continue
        if leaf.self_score > 0 and not leaf.has_evidence:
            add(_("Tự chấm điểm nhưng chưa có tài liệu kiểm chứng."), False, NO_EVIDENCE)
        if leaf.self_score > 0 and not leaf.has_explanation:
            add(_("Tự chấm điểm nhưng chưa có thuyết minh."), False, NO_EXPLANATION)
    return problems


def _group_summary(kind: str, n: int, message: str) -> str:
    if kind == EMPTY:
        return ngettext("%(n)s tiêu chí chưa nhập", "%(n)s tiêu chí chưa nhập", n) % {"n": n}
    if kind == NA_WITHOUT_REASON:
        return ngettext(
            "%(n)s tiêu chí không áp dụng nhưng chưa nêu lý do",
            "%(n)s tiêu chí không áp dụng nhưng chưa nêu lý do",
            n,
        ) % {"n": n}
    if kind == NO_EVIDENCE:
        return ngettext(
            "%(n)s tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng",
            "%(n)s tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng",
            n,
        ) % {"n": n}
    if kind == NO_EXPLANATION:
        return ngettext(
            "%(n)s tiêu chí có điểm nhưng chưa có thuyết minh",
            "%(n)s tiêu chí có điểm nhưng chưa có thuyết minh",
            n,
        ) % {"n": n}
    # A problem of no known kind: its own words, after the count.
    return ngettext("%(n)s tiêu chí: %(what)s", "%(n)s tiêu chí: %(what)s", n) % {
        "n": n,
        "what": message.rstrip(".").lower(),
    }


@dataclass(frozen=True)
class ProblemGroup:
    """The leaves of one field with the same problem, as one line of the leader's check
    ("Lĩnh vực 1 · 12 tiêu chí có điểm nhưng chưa có tài liệu kiểm chứng") that opens onto
    the leaves."""

    field_code: str
    field_title: str
    kind: str
    blocking: bool
    summary: str
    problems: tuple[Problem, ...]

    @property
    def count(self) -> int:
        return len(self.problems)


def group_problems(
    problems: Iterable[Problem], field_titles: Mapping[str, str] | None = None
) -> list[ProblemGroup]:
    """The problems by field (in the order the fields first appear) and, within a field, by
    kind: what blocks first, then the warnings. ``field_titles`` names the fields by code."""
    by_field: dict[str, dict[str, list[Problem]]] = {}
    for problem in problems:
        by_field.setdefault(problem.field_code, {}).setdefault(problem.kind, []).append(problem)
    titles = field_titles or {}
    groups = []
    for field_code, by_kind in by_field.items():
        kinds = sorted(
            by_kind,
            key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER),
        )
        for kind in kinds:
            items = tuple(by_kind[kind])
            groups.append(
                ProblemGroup(
                    field_code=field_code,
                    field_title=titles.get(field_code, ""),
                    kind=kind,
                    blocking=any(p.blocking for p in items),
                    summary=_group_summary(kind, len(items), items[0].message),
                    problems=items,
                )
            )
    return groups
