"""Status counts per field of action and per vision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from cockpit.catalog.models import Catalog
from cockpit.kpi.status import STATUSES


@dataclass(frozen=True)
class TreeNode:
    """A vision or field of action with the number of its goals per status (only statuses that occur)."""

    node: str
    level: Literal["vision", "field"]
    counts: dict[str, int]

    def to_dict(self) -> dict:
        return {"node": self.node, "level": self.level, "counts": dict(self.counts)}


def _ordered(counter: Counter) -> dict[str, int]:
    return {status: counter[status] for status in STATUSES if counter[status]}


def goal_tree(catalog: Catalog, statuses: dict[str, str]) -> list[TreeNode]:
    """Each vision followed by its fields, in catalog order; `statuses` maps goal id to status."""
    per_field = {f.id: Counter() for f in catalog.fields}
    for goal in catalog.goals:
        if goal.field in per_field and goal.id in statuses:
            per_field[goal.field][statuses[goal.id]] += 1
    nodes: list[TreeNode] = []
    for vision in catalog.visions:
        fields = [f for f in catalog.fields if f.vision == vision.id]
        total = sum((per_field[f.id] for f in fields), Counter())
        nodes.append(TreeNode(vision.id, "vision", _ordered(total)))
        nodes.extend(TreeNode(f.id, "field", _ordered(per_field[f.id])) for f in fields)
    return nodes
