from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from units.models import UnitLevel
from units.roles import Roles

from .. import calculations
from ..models import Framework, FrameworkNode, code_sort_key
from .common import require_interior_admin


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

    @property
    def parent_code(self) -> str | None:
        return self.code.rpartition(".")[0] or None


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
    problems = calculations.check_tree(
        [calculations.TreeNode(n.code, n.parent_code, n.max_points, bool(n.rule)) for n in nodes],
        total=max_points,
    )
    framework = Framework(
        name=name, unit_level=unit_level, max_points=max_points, description=description
    )
    built: list[tuple[NodeSpec, FrameworkNode]] = []
    for spec in nodes:
        node = FrameworkNode(
            framework=framework,
            code=spec.code,
            title=spec.title,
            max_points=spec.max_points,
            rule=spec.rule,
            rule_params=dict(spec.params),
            allows_na=spec.allows_na,
            filled_by=spec.filled_by,
            guide=spec.guide,
        )
        try:
            node.full_clean(exclude=["framework", "parent", "sort_key"], validate_unique=False)
        except ValidationError as exc:
            problems.extend(f"{spec.code}: {m}" for m in exc.messages)
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


def clone_framework(*, roles: Roles, framework: Framework, name: str) -> Framework:
    """A copy of a framework for a new year: each year keeps its own tree, so next year's
    changes never touch a published one."""
    nodes = [
        NodeSpec(
            code=node.code,
            title=node.title,
            max_points=node.max_points,
            rule=node.rule,
            params=node.rule_params,
            allows_na=node.allows_na,
            filled_by=node.filled_by,
            guide=node.guide,
        )
        for node in framework.nodes.order_by("sort_key")
    ]
    return create_framework(
        roles=roles,
        name=name,
        unit_level=framework.unit_level,
        nodes=nodes,
        max_points=framework.max_points,
        description=framework.description,
    )
