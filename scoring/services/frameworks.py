import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from units.models import UnitLevel
from units.roles import Roles

from .. import audit, calculations
from ..models import (
    AssessmentYear,
    FieldAssignment,
    Framework,
    FrameworkNode,
    LeafScore,
    code_sort_key,
)
from .common import require_interior_admin

# "1", "1.2", "1.2.a": parts of letters or digits joined by dots. A parent's code is the code
# less its last part, so a space or a doubled dot would silently orphan a node.
CODE_PATTERN = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*")


@dataclass(frozen=True)
class NodeSpec:
    code: str
    title: str
    max_points: Decimal
    rule: str = ""  # empty for fields and criteria that have sub-criteria
    params: Mapping[str, Any] = field(default_factory=dict)
    allows_na: bool = False
    filled_by: str = FrameworkNode.FilledBy.UNIT
    guide: str = ""
    shortfall: str = ""  # the leaf said as what was missing, for reports of lost points

    @property
    def parent_code(self) -> str | None:
        return self.code.rpartition(".")[0] or None


@dataclass(frozen=True)
class NodeProblem:
    """Something wrong with a node of a framework being built, or with its tree.

    ``code`` names the node (empty for the whole tree) and ``field`` the ``NodeSpec``
    attribute at fault when it is known, so an import can point at a row and a column.
    """

    code: str
    field: str
    message: str  # says which node itself: it is also shown without a row

    def __str__(self) -> str:
        return self.message


# Model field → NodeSpec attribute, for the problems ``full_clean`` reports.
_SPEC_FIELDS = {"rule_params": "params", "__all__": ""}


def _node(spec: NodeSpec) -> FrameworkNode:
    return FrameworkNode(
        code=spec.code,
        title=spec.title,
        max_points=spec.max_points,
        rule=spec.rule,
        rule_params=dict(spec.params),
        allows_na=spec.allows_na,
        filled_by=spec.filled_by,
        guide=spec.guide,
        shortfall=spec.shortfall,
    )


def _node_problems(spec: NodeSpec, node: FrameworkNode) -> list[NodeProblem]:
    """Validate ``node`` (built from ``spec``) as the model does; this also normalises its
    rule parameters, which is why ``create_framework`` saves that very object."""
    problems = []
    if not CODE_PATTERN.fullmatch(spec.code):
        problems.append(
            NodeProblem(
                spec.code,
                "code",
                _("%(code)s: mã chỉ gồm chữ số hoặc chữ cái, các cấp cách nhau bằng dấu chấm")
                % {"code": spec.code},
            )
        )
    try:
        node.full_clean(exclude=["framework", "parent", "sort_key"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            attribute = _SPEC_FIELDS.get(name, name)
            problems.extend(
                NodeProblem(spec.code, attribute, f"{spec.code}: {m}") for m in messages
            )
    return problems


def node_problems(spec: NodeSpec) -> list[NodeProblem]:
    """What is wrong with one node on its own (code, title, max, rule and its parameters, who
    fills it), exactly as ``create_framework`` would refuse it. Writes nothing."""
    return _node_problems(spec, _node(spec))


def tree_problems(nodes: Sequence[NodeSpec], *, max_points: Decimal) -> list[NodeProblem]:
    """What is wrong with the tree (``calculations.check_tree``: duplicates, missing parents,
    parents whose max is not their children's sum, fields not summing to ``max_points``), each
    tied to the node it names where it names one."""
    by_code = {spec.code: spec for spec in nodes}
    children: dict[str, list[NodeSpec]] = {}
    for spec in nodes:
        if spec.parent_code:
            children.setdefault(spec.parent_code, []).append(spec)
    messages = calculations.check_tree(
        [calculations.TreeNode(n.code, n.parent_code, n.max_points, bool(n.rule)) for n in nodes],
        total=max_points,
    )
    named: dict[str, int] = {}
    for message in messages:
        code = message.partition(": ")[0]
        if code in by_code:
            named[code] = named.get(code, 0) + 1
    fields: dict[str, list[str]] = {}
    for code, count in named.items():
        spec, kids = by_code[code], children.get(code, [])
        # The attribute each kind of problem is about, in the order check_tree reports them;
        # when these facts and the messages do not pair up one to one, none is guessed.
        facts = [
            (spec.parent_code is not None and spec.parent_code not in by_code, "code"),
            (spec.max_points <= 0, "max_points"),
            (bool(spec.rule) == bool(kids), "rule"),
            (bool(kids) and sum(k.max_points for k in kids) != spec.max_points, "max_points"),
        ]
        found = [name for holds, name in facts if holds]
        fields[code] = found if len(found) == count else [""] * count
    problems = []
    for message in messages:
        code = message.partition(": ")[0]
        if code in fields:
            problems.append(NodeProblem(code, fields[code].pop(0), message))
        else:
            problems.append(NodeProblem("", "", message))
    return problems


@transaction.atomic
def create_framework(
    *,
    roles: Roles,
    name: str,
    unit_level: UnitLevel,
    nodes: Sequence[NodeSpec],
    max_points: Decimal = Decimal(100),
    description: str = "",
) -> Framework:
    """Create a framework from its nodes, in any order, refusing an unsound tree.

    Every problem, of a node or of the tree's sums, is collected and raised at once as one
    ``ValidationError``; nothing is saved.
    """
    require_interior_admin(roles)
    problems = [p.message for p in tree_problems(nodes, max_points=max_points)]
    framework = Framework(
        name=name, unit_level=unit_level, max_points=max_points, description=description
    )
    if not name.strip() or len(name) > NAME_MAX:
        problems.append(
            _("Tên bộ chỉ số cần có, tối đa %(max)s ký tự (đang có %(n)s).")
            % {"max": NAME_MAX, "n": len(name)}
        )
    built: list[tuple[NodeSpec, FrameworkNode]] = []
    for spec in nodes:
        node = _node(spec)
        problems += [p.message for p in _node_problems(spec, node)]
        built.append((spec, node))
    if problems:
        raise ValidationError(problems)
    framework.save()
    saved: dict[str, FrameworkNode] = {}
    # Parents first, whatever order an import listed them in.
    for spec, node in sorted(built, key=lambda pair: code_sort_key(pair[0].code)):
        node.framework = framework
        node.parent = saved[spec.parent_code] if spec.parent_code else None
        node.save()
        saved[spec.code] = node
    return framework


def spec_of(node: FrameworkNode) -> NodeSpec:
    """A stored node as a spec, to build another framework from."""
    return NodeSpec(
        code=node.code,
        title=node.title,
        max_points=node.max_points,
        rule=node.rule,
        params=node.rule_params,
        allows_na=node.allows_na,
        filled_by=node.filled_by,
        guide=node.guide,
        shortfall=node.shortfall,
    )


def specs_of(framework: Framework) -> list[NodeSpec]:
    """The nodes of a stored framework as specs, in tree order."""
    return [spec_of(node) for node in framework.nodes.order_by("sort_key")]


def node_changes(old: Sequence[NodeSpec], new: Sequence[NodeSpec]) -> dict[str, int]:
    """How many nodes a new tree adds, removes and changes (any of title, max, rule,
    parameters, N/A, who fills it, guide, wording when points are lost) against the old one,
    matched by code. Both sides should be stored trees, whose parameters are normalised
    alike."""
    before = {spec.code: spec for spec in old}
    after = {spec.code: spec for spec in new}

    def shape(spec: NodeSpec) -> tuple:
        return (
            spec.title,
            spec.max_points,
            spec.rule,
            dict(spec.params),
            spec.allows_na,
            spec.filled_by,
            spec.guide,
            spec.shortfall,
        )

    return {
        "added": len(after.keys() - before.keys()),
        "removed": len(before.keys() - after.keys()),
        "changed": sum(
            1 for code in before.keys() & after.keys() if shape(before[code]) != shape(after[code])
        ),
    }


def record_framework_change(
    *,
    new: Framework,
    old_specs: Sequence[NodeSpec] = (),
    old_name: str | None = None,
    year: AssessmentYear | None = None,
    user=None,
    note: str = "",
) -> None:
    """One line of the audit log for a framework imported, replaced or copied: which one, and
    how many of its nodes were added, removed and changed (``old_specs`` is the tree it
    replaces, none for a new framework)."""
    counts = node_changes(old_specs, specs_of(new))
    before = {"framework": old_name, "nodes": len(old_specs) if old_name is not None else None}
    after = {"framework": new.name, "nodes": new.nodes.count()}
    audit.record(
        audit.Kind.FRAMEWORK,
        user=user,
        year=year,
        target=new.name,
        changes={
            **audit.diff(before, after),
            **{name: [None, count] for name, count in counts.items()},
        },
        note=note,
    )


NAME_MAX = Framework._meta.get_field("name").max_length


def year_copy_name(name: str, year: int) -> str:
    """The name of a framework's copy for a year: "Bộ chỉ số (2024)" becomes "Bộ chỉ số (2025)",
    not "… (2024) (2025)", and a name already at the column's length is shortened to fit."""
    suffix = f" ({year})"
    base = re.sub(r" \(\d{4}\)$", "", name)
    return base[: NAME_MAX - len(suffix)].rstrip() + suffix


def clone_framework(*, roles: Roles, framework: Framework, name: str) -> Framework:
    """A copy of a framework for a new year: each year keeps its own tree, so next year's
    changes never touch a published one."""
    return create_framework(
        roles=roles,
        name=name,
        unit_level=framework.unit_level,
        nodes=specs_of(framework),
        max_points=framework.max_points,
        description=framework.description,
    )


def framework_change_refusal(year: AssessmentYear) -> str | None:
    """Why the year's framework cannot be replaced now, or ``None`` when it can: only while
    the year is being prepared and no unit has a score (a score belongs to a node)."""
    if year.state != AssessmentYear.State.PREPARING:
        return _(
            "Chỉ thay được bộ chỉ số khi kỳ đánh giá ở bước “Chuẩn bị”; năm %(year)s đang ở "
            "bước “%(state)s”."
        ) % {"year": year.year, "state": year.get_state_display()}
    if LeafScore.objects.filter(assessment__year=year).exists():
        return _("Năm %(year)s đã có điểm của đơn vị; không thay được bộ chỉ số.") % {
            "year": year.year
        }
    return None


def _lock_for_new_framework(year: AssessmentYear) -> AssessmentYear:
    """The year locked (so no step of the year slips between the check and the swap) and
    still open to a new framework, or ``ValidationError``."""
    year = (
        AssessmentYear.objects.select_for_update(of=("self",))
        .select_related("framework", "unit_level")
        .get(pk=year.pk)
    )
    if refusal := framework_change_refusal(year):
        raise ValidationError(refusal)
    return year


def swap_framework(year: AssessmentYear, new: Framework) -> None:
    """Point the year at ``new``; field assignments follow their field's code; the old
    framework goes when nothing else uses it."""
    old = year.framework
    year.framework = new
    year.save(update_fields=["framework"])
    fields = {node.code: node for node in new.nodes.filter(parent=None)}
    for assignment in FieldAssignment.objects.filter(year=year).select_related("field"):
        field_node = fields.get(assignment.field.code)
        if field_node is None:  # the field is gone: nothing left to appraise
            assignment.delete()
        else:
            assignment.field = field_node
            assignment.save(update_fields=["field"])
    if not old.years.exists() and not LeafScore.objects.filter(node__framework=old).exists():
        old.delete()


@transaction.atomic
def replace_framework(
    *,
    roles: Roles,
    year: AssessmentYear,
    nodes: Sequence[NodeSpec],
    name: str = "",
    user=None,
    note: str = "",
) -> Framework:
    """Give a year being prepared a new framework built from ``nodes`` (its total stays the
    current framework's, normally 100). Refused once the year has moved on or has scores.
    Recorded in the audit log with how many nodes changed (``note`` says from where)."""
    require_interior_admin(roles)
    year = _lock_for_new_framework(year)
    old = year.framework
    old_specs = specs_of(old)  # before the swap, which may delete the old framework
    new = create_framework(
        roles=roles,
        name=name or old.name,
        unit_level=year.unit_level,
        nodes=nodes,
        max_points=old.max_points,
        description=old.description,
    )
    swap_framework(year, new)
    record_framework_change(
        new=new, old_specs=old_specs, old_name=old.name, year=year, user=user, note=note
    )
    return new


def nearest_earlier_year(year: AssessmentYear) -> AssessmentYear | None:
    """The nearest earlier year of the same unit level."""
    return (
        AssessmentYear.objects.filter(unit_level_id=year.unit_level_id, year__lt=year.year)
        .select_related("framework")
        .order_by("-year")
        .first()
    )


@transaction.atomic
def copy_previous_framework(*, roles: Roles, year: AssessmentYear, user=None) -> Framework:
    """Replace a year's framework with a copy of the nearest earlier year's (same level)."""
    require_interior_admin(roles)
    year = _lock_for_new_framework(year)
    old = year.framework
    old_specs = specs_of(old)
    source = nearest_earlier_year(year)
    if source is None:
        raise ValidationError(
            _("Chưa có năm nào trước năm %(year)s của cấp này để chép bộ chỉ số.")
            % {"year": year.year}
        )
    name = year_copy_name(source.framework.name, year.year)
    new = clone_framework(roles=roles, framework=source.framework, name=name)
    swap_framework(year, new)
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the installation's
        note = _("Chép từ bộ chỉ số năm %(year)s") % {"year": source.year}
    record_framework_change(
        new=new, old_specs=old_specs, old_name=old.name, year=year, user=user, note=note
    )
    return new
