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
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.coverage import Coverage, targets_of
from scoring.diagnostics import did_you_mean
from scoring.errors import PioneerError, RulesError
from scoring.slips import with_yaml_slips
from scoring.source import PathKey, SourceFile, load_source

if TYPE_CHECKING:
    from scoring.service import Rules

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
    passed: int = 0
    coverage: Coverage = field(default_factory=lambda: Coverage(""))

    @property
    def failed(self) -> int:
        """Failing expectations and rejected rows."""
        return len(self.failures)

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
    """The line of a node's key (or of a list item), for messages."""
    pos, _ = src.nearest(path)
    return pos.key_line if pos else 1


def _cell(value: Any) -> Any:
    """A YAML value as a JSON Lines cell the ingest reads with its spellings."""
    if value is None or isinstance(value, bool):
        return value
    return str(value)


def _write_tables(folder: Path, catalog_tables: dict[str, list[str]], rows: dict[str, Any]) -> None:
    """One JSON Lines file per declared table; a table a case leaves out is empty."""
    for table, columns in catalog_tables.items():
        with (folder / f"{table}.jsonl").open("w", encoding="utf-8") as out:
            out.write("\n")  # a blank line: a table of zero rows, not an empty file
            for row in rows.get(table) or []:
                record = {c: _cell(row.get(c)) for c in columns}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")


@dataclass
class TestFile:
    """A parsed test file with its rule file, checked before anything runs."""

    path: Path
    src: SourceFile
    doc: dict[str, Any]
    rules: Rules
    problems: list[str] = field(default_factory=list)
    case: str = ""

    def problem(self, path: PathKey, message: str) -> None:
        where = f"case {self.case!r}: " if self.case else ""
        self.problems.append(f"{self.path}:{_line(self.src, path)}: {where}{message}")


def load_test_file(path: Path) -> TestFile:
    """Parse a test file and its rule file and check the shape of every case.

    Raises PioneerError naming file and line for anything that would make a
    case meaningless: unknown tables, columns, awards or expectation keys.
    """
    from scoring import service

    src = load_source(path)
    if src.diagnostics:
        found = with_yaml_slips(src, src.diagnostics)
        raise PioneerError("\n".join(d.render() for d in found))
    doc = src.data
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise PioneerError(f"{path}:1: a test file is a mapping with `cases:` (a list)")
    default = path.name.removesuffix(".test.yaml") + ".yaml"
    rules_path = path.parent / str(doc.get("rules") or default)
    if not rules_path.is_file():
        raise PioneerError(f"{path}:1: its rule file {rules_path} does not exist (set `rules:`)")
    try:
        rules = service.load(rules_path)
    except RulesError as exc:
        raise PioneerError(f"{path}: its rule file {rules_path} has errors:\n{exc}") from None
    test = TestFile(path, src, doc, rules)
    for i, case in enumerate(doc["cases"]):
        _validate_case(test, ("cases", i), case)
    if test.problems:
        raise PioneerError("\n".join(test.problems))
    return test


def _hinted(message: str, word: object, choices: Iterable[str]) -> str:
    hint = did_you_mean(str(word), choices)
    return f"{message} ({hint})" if hint else message


def _validate_case(test: TestFile, here: PathKey, case: Any) -> None:
    if isinstance(case, dict):
        test.case = str(case.get("name", f"#{int(here[-1]) + 1}"))
    if not isinstance(case, dict):
        test.problem(here, "a case is a mapping with `name`, `tables` and `expect`")
        return
    if not (case.get("period") or test.doc.get("period")):
        test.problem(here, "the case has no `period` (set one for the file or the case)")
    tables = case.get("tables") or {}
    if not isinstance(tables, dict):
        test.problem((*here, "tables"), "`tables` maps a table name to a list of rows")
    else:
        for table, rows in tables.items():
            _validate_rows(test, (*here, "tables", table), table, rows)
    expect = case.get("expect")
    if not isinstance(expect, dict):
        test.problem(here, "the case needs `expect:` (award: subject: expectations)")
        return
    names = [a.name for a in test.rules.plan.awards]
    for award, subjects in expect.items():
        apath = (*here, "expect", award)
        if award not in names:
            test.problem(apath, _hinted(f"the rule file has no award `{award}`", award, names))
        elif not isinstance(subjects, dict):
            test.problem(apath, f"`{award}` maps a subject key to its expectations")
        else:
            for subject, wants in subjects.items():
                _validate_expectations(test, (*apath, subject), wants)


def _validate_rows(test: TestFile, tpath: PathKey, table: Any, rows: Any) -> None:
    tables = test.rules.plan.catalog.tables
    info = tables.get(str(table))
    if info is None:
        test.problem(tpath, _hinted(f"the rule file declares no table `{table}`", table, tables))
        return
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        test.problem(tpath, f"`{table}` is a list of rows, each a mapping of column: value")
        return
    for j, row in enumerate(rows):
        for col in row:
            if col not in info.columns:
                message = f"table `{table}` has no column `{col}`"
                test.problem((*tpath, j, col), _hinted(message, col, info.columns))


def _validate_expectations(test: TestFile, spath: PathKey, wants: Any) -> None:
    if not isinstance(wants, dict):
        test.problem(spath, "expectations are a mapping, e.g. {total: 87.25, rank: 1}")
        return
    allowed = (*RESULT_KEYS, "points", "metrics")
    for key, want in wants.items():
        if key not in allowed:
            test.problem(
                (*spath, key),
                _hinted(
                    f"unknown expectation `{key}` (one of: {', '.join(allowed)})", key, allowed
                ),
            )
        elif key in ("points", "metrics") and not isinstance(want, dict):
            test.problem(
                (*spath, key), f"`{key}` maps a node path to a value, e.g. {{business: 18}}"
            )
        elif key in ("points", "metrics"):
            award = next(a for a in test.rules.plan.awards if a.name == spath[-2])
            paths = (
                award.point_paths()
                if key == "points"
                else [p for p, n in award.nodes.items() if n.metric is not None]
            )
            for path in want:
                if path not in paths:
                    message = f"`{key}`: award `{award.name}` has no node `{path}`"
                    test.problem((*spath, key, path), _hinted(message, path, paths))


def run_test_file(path: Path) -> TestReport:
    """Run every case of one test file."""
    test = load_test_file(path)
    report = TestReport(str(path))
    report.coverage = Coverage(test.rules.path, targets_of(test.rules.model))
    for award in test.rules.plan.awards:
        report.nodes.extend(f"{award.name}:{p}" for p in award.point_paths())
    for i, case in enumerate(test.doc["cases"]):
        report.cases += 1
        _run_case(test, report, i, case)
    return report


def _score_case(
    test: TestFile, report: TestReport, here: PathKey, label: str, case: dict[str, Any]
) -> dict[str, Any]:
    """Ingest the case's rows into an in-memory store and score them."""
    from scoring import service

    rules = test.rules
    period = str(case.get("period") or test.doc.get("period"))
    columns = {t: list(info.columns) for t, info in rules.plan.catalog.tables.items()}
    with tempfile.TemporaryDirectory(prefix="pioneer-test-") as tmp:
        _write_tables(Path(tmp), columns, case.get("tables") or {})
        db = service.open_db(":memory:")
        try:
            ingest = service.ingest_folder(db, rules, tmp)
            for reject in ingest.rejects:
                reason = _in_test_file_terms(test, here, reject.table, reject.reason)
                report.failures.append(
                    Failure(
                        report.file,
                        _row_line(test, here, reject.table, reject.line),
                        label,
                        f"row of {reject.table} rejected",
                        "an accepted row",
                        f"{reject.column}: {reason}",
                    )
                )
            summary = service.score(db, rules, period, dataset_id=ingest.dataset_id)
            exported = service.export_document(db, summary.run_id)
            exported["rejected"] = _rejected_subjects(test, here, case, ingest.rejects)
            return exported
        finally:
            db.close()


def _rejected_subjects(
    test: TestFile, here: PathKey, case: dict[str, Any], rejects: Iterable[Any]
) -> dict[tuple[str, str], int]:
    """(subject table, key) -> the test file's line, for each refused subject row."""
    out: dict[tuple[str, str], int] = {}
    tables = test.rules.plan.catalog.tables
    for reject in rejects:
        info = tables.get(reject.table)
        rows = (case.get("tables") or {}).get(reject.table) or []
        index = max((reject.line or 2) - 2, 0)
        if info is None or info.key is None or index >= len(rows):
            continue
        key = rows[index].get(info.key)
        if key is not None:
            out[(reject.table, str(key))] = _row_line(test, here, reject.table, reject.line)
    return out


def _row_line(test: TestFile, here: PathKey, table: str, line: int | None) -> int:
    """The test file's line of an inline row, from its line in the file the
    rows were written to (line 1 there is a blank line written first)."""
    row = max((line or 2) - 2, 0)
    return _line(test.src, (*here, "tables", table, row))


_FILE_LINE = re.compile(r"\((\w+)\.jsonl line (\d+)\)")
_FIRST_AT = re.compile(r"first at line (\d+)")


def _in_test_file_terms(test: TestFile, here: PathKey, table: str, reason: str) -> str:
    """A reject reason that names the test file's lines, not the internal
    files the rows were written to (`couriers.jsonl line 6`)."""
    reason = _FILE_LINE.sub(
        lambda m: f"(line {_row_line(test, here, m[1], int(m[2]))})",
        reason,
    )
    return _FIRST_AT.sub(
        lambda m: f"first at line {_row_line(test, here, table, int(m[1]))}", reason
    )


def _run_case(test: TestFile, report: TestReport, i: int, case: dict[str, Any]) -> None:
    here: PathKey = ("cases", i)
    label = str(case.get("name", f"#{i + 1}"))
    exported = _score_case(test, report, here, label, case)
    report.coverage.observe(test.rules.model, exported)
    for award, subjects in case["expect"].items():
        apath = (*here, "expect", award)
        by_key = {r["subject"]: r for r in exported["awards"][award]["results"]}
        for subject, expected in subjects.items():
            spath = (*apath, subject)
            actual = by_key.get(str(subject))
            subjects = test.rules.plan.award(award).subjects
            refused = exported["rejected"].get((subjects, str(subject)))
            if actual is None and refused is not None:
                report.failures.append(
                    Failure(
                        report.file,
                        _line(test.src, spath),
                        label,
                        f"{award} {subject}",
                        "a scored subject",
                        f"not scored: its row (line {refused}) was rejected",
                    )
                )
                continue
            if actual is None:
                report.failures.append(
                    Failure(
                        report.file,
                        _line(test.src, spath),
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
                report.passed += _equal(want, got)
                if not _equal(want, got):
                    report.failures.append(
                        Failure(report.file, _line(test.src, path), label, what, want, got)
                    )


def _compare(
    award: str,
    subject: str,
    expected: dict[str, Any],
    actual: dict[str, Any],
    spath: PathKey,
    report: TestReport,
) -> Iterator[tuple[str, PathKey, Any, Any]]:
    """(what, where, expected, actual) for each expectation of one subject."""
    for key, want in expected.items():
        path = (*spath, key)
        if key in RESULT_KEYS:
            got = actual.get(key)
            if key == "veto" and isinstance(want, str):
                holding = got if isinstance(got, list) else []
                yield (
                    f"{award} {subject} veto contains",
                    path,
                    want,
                    want if want in holding else got,
                )
            else:
                yield f"{award} {subject} {key}", path, want, got
            continue
        for node, value in want.items():
            if key == "points":
                report.covered.add(f"{award}:{node}")
            got = actual[key].get(node, "<no such node>")
            yield f"{award} {subject} {key}.{node}", (*path, node), value, got


def _equal(want: Any, got: Any) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(want, int | Decimal) and isinstance(got, int | Decimal):
        return Decimal(want) == Decimal(got)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(_equal(w, g) for w, g in zip(want, got, strict=True))
    return bool(want == got)
