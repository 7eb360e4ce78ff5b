"""Rule unit tests (SPEC §7): `*.test.yaml` files beside a rule file.

A test file names its rule file (default: the same name without `.test`),
a default period, and cases. Each case gives inline rows for some tables
(the others are empty) and what it expects for named subjects:

    rules: three_pioneers.yaml
    period: 2022
    cases:
      - name: 满分骑手
        tables:
          riders: [{id: R1, name: 张三, unit: 城关镇, party_member: true, joined: 2020-01-01}]
          deliveries: [{id: D1, rider: R1, month: 2022-03-01, parcels: 6000, on_time: 6000}]
        expect:
          pioneer_rider:
            R1: {eligible: true, veto: [], total: 87.25, rank: 1, grade: 良好,
                 selected: true, points: {business.volume: 20}, metrics: {business.volume: 6000}}

Rows go through the real ingest (same cell spellings, same checks) and the
real engine, so a rule test scores exactly as a batch run would.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.errors import PioneerError, RulesError
from scoring.source import PathKey, SourceFile, load_source

RESULT_KEYS = ("eligible", "veto", "total", "rank", "grade", "selected", "boundary_tie")


@dataclass
class Failure:
    """One expectation that did not hold."""

    file: str
    line: int
    case: str
    what: str
    expected: Any
    actual: Any

    def render(self) -> str:
        return (
            f"{self.file}:{self.line}: case {self.case!r}: {self.what}: "
            f"expected {_show(self.expected)}, got {_show(self.actual)}"
        )


@dataclass
class TestReport:
    """What running one test file found."""

    file: str
    cases: int = 0
    checked: int = 0
    failures: list[Failure] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    nodes: list[str] = field(default_factory=list)

    @property
    def uncovered(self) -> list[str]:
        """Points paths of the rule file that no case checks."""
        return [n for n in self.nodes if n not in self.covered]


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | dict | bool) or value is None:
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def find_test_files(paths: list[str]) -> list[Path]:
    """Test files named by PATHs: a test file, a rule file (its sibling test
    file), or a folder (every `*.test.yaml` in it)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(sorted(p.rglob("*.test.yaml")))
        elif p.name.endswith(".test.yaml"):
            if not p.is_file():
                raise PioneerError(f"{p}: no such test file")
            found.append(p)
        elif p.suffix in (".yaml", ".yml"):
            sibling = p.with_name(p.stem + ".test.yaml")
            if not sibling.is_file():
                raise PioneerError(f"{p}: has no test file {sibling.name} beside it")
            found.append(sibling)
        else:
            raise PioneerError(f"{p}: not a folder, a rule file or a *.test.yaml file")
    if not found:
        raise PioneerError("no *.test.yaml files found in " + ", ".join(paths))
    return found


def _line(src: SourceFile, path: PathKey) -> int:
    pos, _ = src.nearest(path)
    return pos.line if pos else 1


def _cell(value: Any) -> Any:
    """A YAML value as a JSON Lines cell the ingest reads with its spellings."""
    if value is None or isinstance(value, bool):
        return value
    return str(value)


def _write_tables(folder: Path, catalog_tables: dict[str, list[str]], rows: dict[str, Any]) -> None:
    for table, columns in catalog_tables.items():
        given = rows.get(table) or []
        with (folder / f"{table}.jsonl").open("w", encoding="utf-8") as out:
            for row in given:
                record = {c: _cell(row.get(c)) for c in columns}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if not given:
                out.write("")


def run_test_file(path: Path) -> TestReport:
    """Run every case of one test file."""
    from scoring import service

    src = load_source(path)
    name = str(path)
    report = TestReport(name)
    if src.diagnostics:
        raise PioneerError("\n".join(d.render() for d in src.diagnostics))
    doc = src.data
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise PioneerError(f"{name}:1: a test file is a mapping with `cases:` (a list)")
    rules_path = path.parent / str(
        doc.get("rules") or path.name.removesuffix(".test.yaml") + ".yaml"
    )
    try:
        rules = service.load(rules_path)
    except RulesError as exc:
        raise PioneerError(f"{name}: its rule file {rules_path} has errors:\n{exc}") from None
    for award in rules.plan.awards:
        report.nodes.extend(f"{award.name}:{p}" for p in award.point_paths())
    columns = {t: list(info.columns) for t, info in rules.plan.catalog.tables.items()}
    for i, case in enumerate(doc["cases"]):
        report.cases += 1
        _run_case(src, report, rules, columns, doc, i, case)
    return report


def _run_case(
    src: SourceFile,
    report: TestReport,
    rules: Any,
    columns: dict[str, list[str]],
    doc: dict[str, Any],
    i: int,
    case: Any,
) -> None:
    from scoring import service

    here: PathKey = ("cases", i)
    label = str(case.get("name", f"#{i + 1}")) if isinstance(case, dict) else f"#{i + 1}"
    if not isinstance(case, dict) or not isinstance(case.get("expect"), dict):
        raise PioneerError(
            f"{report.file}:{_line(src, here)}: case {label!r} needs `expect:` (a mapping)"
        )
    tables = case.get("tables") or {}
    unknown = [t for t in tables if t not in columns]
    if unknown:
        raise PioneerError(
            f"{report.file}:{_line(src, (*here, 'tables', unknown[0]))}: "
            f"case {label!r}: the rule file declares no table `{unknown[0]}`"
        )
    period = str(case.get("period", doc.get("period", "")))
    if not period:
        raise PioneerError(f"{report.file}:{_line(src, here)}: case {label!r} has no period")
    with tempfile.TemporaryDirectory(prefix="pioneer-test-") as tmp:
        folder = Path(tmp)
        _write_tables(folder, columns, tables)
        db = service.open_db(":memory:")
        ingest = service.ingest_folder(db, rules, folder)
        for reject in ingest.rejects:
            line = _line(src, (*here, "tables", reject.table, max((reject.line or 1) - 1, 0)))
            report.failures.append(
                Failure(
                    report.file,
                    line,
                    label,
                    f"row of {reject.table} rejected",
                    "an accepted row",
                    f"{reject.column}: {reject.reason}",
                )
            )
        summary = service.score(db, rules, period, dataset_id=ingest.dataset_id)
        exported = service.export_document(db, summary.run_id)
        db.close()
    for award, subjects in case["expect"].items():
        results = exported["awards"].get(award)
        apath = (*here, "expect", award)
        if results is None:
            report.failures.append(
                Failure(
                    report.file,
                    _line(src, apath),
                    label,
                    f"award {award}",
                    "an award of the rule file",
                    "no such award",
                )
            )
            continue
        by_key = {r["subject"]: r for r in results["results"]}
        for subject, expected in (subjects or {}).items():
            spath = (*apath, subject)
            actual = by_key.get(str(subject))
            if actual is None:
                report.failures.append(
                    Failure(
                        report.file,
                        _line(src, spath),
                        label,
                        f"{award} {subject}",
                        "a scored subject",
                        "not in the results",
                    )
                )
                continue
            for what, path, want, got in _compare(
                award, str(subject), expected, actual, spath, report
            ):
                report.checked += 1
                if not _equal(want, got):
                    report.failures.append(
                        Failure(report.file, _line(src, path), label, what, want, got)
                    )


def _compare(
    award: str,
    subject: str,
    expected: Any,
    actual: dict[str, Any],
    spath: PathKey,
    report: TestReport,
) -> Iterator[tuple[str, PathKey, Any, Any]]:
    if not isinstance(expected, dict):
        raise PioneerError(f"{report.file}: expectations of {award} {subject} must be a mapping")
    for key, want in expected.items():
        path = (*spath, key)
        if key in RESULT_KEYS:
            got = actual.get(key)
            if key == "veto" and isinstance(want, str):
                holding = got if isinstance(got, list) else []
                yield f"{award} {subject} veto contains", path, want, want if want in holding else got
            else:
                yield f"{award} {subject} {key}", path, want, got
        elif key in ("points", "metrics") and isinstance(want, dict):
            for node, value in want.items():
                if key == "points":
                    report.covered.add(f"{award}:{node}")
                got = actual[key].get(node, "<no such node>")
                yield f"{award} {subject} {key}.{node}", (*path, node), value, got
        else:
            raise PioneerError(
                f"{report.file}: unknown expectation `{key}` for {award} {subject} "
                f"(one of: {', '.join((*RESULT_KEYS, 'points', 'metrics'))})"
            )


def _equal(want: Any, got: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(want, int | Decimal) and isinstance(got, int | Decimal):
        return Decimal(want) == Decimal(got)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(_equal(w, g) for w, g in zip(want, got, strict=True))
    return bool(want == got)
