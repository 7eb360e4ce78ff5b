"""The state the check passes share: the source, the model, the catalog and
what the expression pass learnt (typed expressions, award order)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from scoring.catalog import Catalog, ColumnType, TableInfo
from scoring.expr import CheckedExpr
from scoring.model import Award, ColumnSpec, Node, RuleFile
from scoring.source import PathKey, SourceFile


@dataclass
class CheckContext:
    """What every pass can read; the expression pass fills `exprs` and `order`."""

    src: SourceFile
    rules: RuleFile
    catalog: Catalog
    exprs: dict[PathKey, CheckedExpr] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


def build_catalog(rules: RuleFile) -> Catalog:
    """The tables an expression can see, with award totals as virtual columns."""
    virtual: dict[str, dict[str, str]] = {}
    for name, award in rules.awards.items():
        virtual.setdefault(award.subjects, {})[name] = award.title
    tables: dict[str, TableInfo] = {}
    for name, table in rules.tables.items():
        columns: dict[str, ColumnType] = {}
        headers: dict[str, str] = {}
        private: set[str] = set()
        for col, spec in table.columns.items():
            if isinstance(spec, ColumnSpec):
                columns[col] = spec.type
                if spec.header:
                    headers[col] = spec.header
                if spec.private:
                    private.add(col)
            else:
                columns[col] = spec
        tables[name] = TableInfo(
            name=name,
            kind="subject" if table.key is not None else "record",
            columns=columns,
            key=table.key,
            date=table.date,
            links=dict(table.links),
            virtual={a: t for a, t in virtual.get(name, {}).items() if a not in columns},
            headers=headers,
            private=frozenset(private),
        )
    return Catalog(tables)


AwardPath = tuple[str | int, ...]


def walk_nodes(
    nodes: dict[str, Node], prefix: str, path: AwardPath
) -> Iterator[tuple[str, AwardPath, Node]]:
    """Every node of a criteria tree: (dotted name, YAML path, node), parents first."""
    for key, node in nodes.items():
        dotted = f"{prefix}.{key}" if prefix else key
        here = (*path, key)
        yield dotted, here, node
        if node.criteria is not None:
            yield from walk_nodes(node.criteria, dotted, (*here, "criteria"))


def award_nodes(name: str, award: Award) -> Iterator[tuple[str, AwardPath, Node, str]]:
    """Criteria nodes, then bonus and deduction items: (dotted, path, node, part)."""
    base: AwardPath = ("awards", name)
    for dotted, path, node in walk_nodes(award.criteria, "", (*base, "criteria")):
        yield dotted, path, node, "criteria"
    for block_name in ("bonus", "deductions"):
        block = getattr(award, block_name)
        if block is None:
            continue
        for key, node in block.items.items():
            yield f"{block_name}.{key}", (*base, block_name, "items", key), node, block_name


def criteria_paths(award: Award) -> frozenset[str]:
    """Dotted paths of every criteria node (what `node('PATH')` may name)."""
    return frozenset(d for d, _, _ in walk_nodes(award.criteria, "", ()))
