"""The criteria tree of one subject: per node its maximum, metric value and
points, with a mark where the metric had no data. Figures line up in
columns by display width (a CJK title counts two cells per character)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from scoring.width import display_width, rjust
from tui.format import theme_style
from tui.lang import tr
from tui.subject_view import NodeView, SubjectView

GUIDE = 4
"""Cells of indentation per level of the tree."""
TOGGLE = 2
"""Cells taken by the expand mark in front of a branch."""


class CriteriaTree(Tree[NodeView]):
    def __init__(self, view: SubjectView, *, id: str | None = None) -> None:
        super().__init__(Text(tr("criteria.root")), id=id)
        self.view = view
        self.guide_depth = GUIDE
        self.show_root = False

    def on_mount(self) -> None:
        nodes = self.view.nodes
        self._name_width = max((_name_width(n, 0) for n in nodes), default=0) + 2
        self._metric_width = max((_metric_width(n) for n in nodes), default=0)
        for node in nodes:
            self._add(self.root, node, 0)
        self.root.expand_all()
        self.move_cursor_to_line(0)

    def _add(self, parent: TreeNode[NodeView], node: NodeView, depth: int) -> None:
        label = self._label(node, self._name_width - _indent(node, depth))
        if node.children:
            branch = parent.add(label, data=node, expand=True)
            for child in node.children:
                self._add(branch, child, depth + 1)
        else:
            parent.add_leaf(label, data=node)

    def _label(self, node: NodeView, width: int) -> Text:
        name = _name(node)
        text = Text(no_wrap=True)
        text.append(name, theme_style(self.app, "text-primary", bold=bool(node.children)))
        text.append(" " * max(width - display_width(name), 1))
        text.append(tr("criteria.max", max=rjust(node.max, 3)))
        metric = tr("criteria.metric", metric="")
        if node.metric is not None:
            text.append(tr("criteria.metric", metric=rjust(node.metric, self._metric_width)))
        elif self._metric_width:
            text.append(" " * (display_width(metric) + self._metric_width))
        text.append(tr("criteria.points"))
        text.append(rjust(node.points, 6), theme_style(self.app, "text-success", bold=True))
        if node.computed is not None:
            text.append(
                tr("formula.computed", value=node.computed), theme_style(self.app, "text-warning")
            )
        if node.no_data:
            text.append(" " + tr("value.no_data"), theme_style(self.app, "text-warning"))
        return text


def _name(node: NodeView) -> str:
    key = node.path.split(".")[-1]
    return f"{node.title} {key}" if node.title != key else key


def _indent(node: NodeView, depth: int) -> int:
    return depth * GUIDE + (TOGGLE if node.children else 0)


def _name_width(node: NodeView, depth: int) -> int:
    own = _indent(node, depth) + display_width(_name(node))
    return max([own] + [_name_width(c, depth + 1) for c in node.children])


def _metric_width(node: NodeView) -> int:
    own = display_width(node.metric) if node.metric is not None else 0
    return max([own] + [_metric_width(c) for c in node.children])
