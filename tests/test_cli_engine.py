"""The real command line over the engine (SPEC §6): score, ingest, rejects,
explain, rank, export, audit; exit codes and messages; never a traceback.

Most commands run in-process through click's `CliRunner` (stdout and stderr
apart); a few run `.venv/bin/pioneer` (the installed entry point) in a
subprocess. The shipped example is scored once per module."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from engine_helpers import campaign, people, recs, rules_text, write_tables

from scoring.cli import cli

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "three_pioneers.yaml"
DATA = ROOT / "examples" / "qianyang"
PIONEER = Path(sys.executable).parent / "pioneer"
SUMMARY = re.compile(r"^(\w+): (\d+) in, (\d+) accepted, (\d+) rejected$")

TINY_AWARDS = """
a:
  title: 测试奖
  subjects: people
  criteria:
    k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
  quota: {count: 1}
"""


def run(*args: str | Path) -> Result:
    """Invoke the CLI in-process; no command may print a traceback."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result


def pioneer(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `pioneer` entry point."""
    exe = str(PIONEER) if PIONEER.exists() else shutil.which("pioneer")
    assert exe, "the pioneer entry point is not installed"
    done = subprocess.run(
        [exe, *map(str, args)], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def sha_of(stdout: str) -> str:
    found = re.search(r"^results_sha256 ([0-9a-f]{64})$", stdout, re.M)
    assert found, stdout
    return found.group(1)


@dataclass
class Shipped:
    db: Path
    first: Result
    second: Result


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Shipped:
    """The shipped example scored twice (runs 1 and 2) into one store."""
    db = tmp_path_factory.mktemp("cli") / "store.db"
    first = run("score", RULES, "--data", DATA, "--db", db, "--period", "2022")
    second = run("score", RULES, "--data", DATA, "--db", db, "--period", "2022")
    return Shipped(db, first, second)


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    """A tiny rule file and a good data folder for it."""
    text = rules_text(TINY_AWARDS)
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    data = {"people": people("P1", "P2", "P3"), "records": recs("P1", 3) + recs("P2", 5)}
    write_tables(tmp_path / "data", text, data)
    return rules, tmp_path / "data"


# ------------------------------------------------------------------ score


def test_score_shipped_example_ends_with_run_id(shipped: Shipped) -> None:
    assert shipped.first.exit_code == 0, shipped.first.stderr
    assert last_line(shipped.first.stdout) == "run 1"
    assert re.search(r"^total: \d+ in, \d+ accepted, 0 rejected$", shipped.first.stdout, re.M)
    assert re.search(
        r"^pioneer_rider: \d+ scored, \d+ ranked, \d+ selected$", shipped.first.stdout, re.M
    )


def test_second_score_gives_same_results_hash(shipped: Shipped) -> None:
    assert shipped.second.exit_code == 0, shipped.second.stderr
    assert last_line(shipped.second.stdout) == "run 2"
    assert sha_of(shipped.second.stdout) == sha_of(shipped.first.stdout)
    assert "reused" in shipped.second.stdout  # the same files make the same dataset


def test_score_reports_records_outside_period(shipped: Shipped) -> None:
    lines = [line for line in shipped.first.stdout.splitlines() if "outside the period" in line]
    assert lines  # the example holds records dated outside 2022
    assert all(re.match(r"^\w+: \d+ record\(s\) outside the period", line) for line in lines)


def test_score_with_entry_point_prints_run_last(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    rules, data = tiny
    done = pioneer("score", rules, "--data", data, "--db", tmp_path / "s.db", "--period", "2022")
    assert done.returncode == 0, done.stderr
    assert last_line(done.stdout) == "run 1"
    assert done.stderr == ""  # piped: no progress bar, no noise


@pytest.mark.parametrize("period", ["2022-H2", "2022-Q4", "2022-12", "2022-01-01..2022-06-30"])
def test_score_accepts_every_period_form(
    tiny: tuple[Path, Path], tmp_path: Path, period: str
) -> None:
    rules, data = tiny
    done = run("score", rules, "--data", data, "--db", tmp_path / "p.db", "--period", period)
    assert done.exit_code == 0, done.stderr
    assert last_line(done.stdout) == "run 1"


@pytest.mark.parametrize(
    "period", ["2022-H3", "22", "2022-13", "2022/01/01..2022/06/30", "last year"]
)
def test_bad_period_is_refused_with_accepted_forms(
    tiny: tuple[Path, Path], tmp_path: Path, period: str
) -> None:
    rules, data = tiny
    db = tmp_path / "bad.db"
    done = run("score", rules, "--data", data, "--db", db, "--period", period)
    assert done.exit_code in (1, 2)
    # the message lists the accepted forms: year, half, quarter, month, range
    for form in (r"\b\d{4}\b", r"\d{4}-H[12]", r"\d{4}-Q[1-4]", r"\d{4}-\d\d\b", r"\.\."):
        assert re.search(form, done.stderr.split(period, 1)[-1]), (form, done.stderr)
    assert "run " not in done.stdout
    assert not db.exists() or _count(db, "runs") == 0


# ------------------------------------------------------------------ ingest and rejects


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if table not in names:
            return 0
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_ingest_prints_one_line_per_table_and_total(
    tiny: tuple[Path, Path], tmp_path: Path
) -> None:
    rules, data = tiny
    done = run("ingest", data, "--rules", rules, "--db", tmp_path / "i.db")
    assert done.exit_code == 0, done.stderr
    found = {m.group(1): m.groups()[1:] for m in map(SUMMARY.match, done.stdout.splitlines()) if m}
    assert found == {
        "people": ("3", "3", "0"),
        "records": ("2", "2", "0"),
        "total": ("5", "5", "0"),
    }


def _bad_folder(tmp_path: Path) -> tuple[Path, Path]:
    text = rules_text(TINY_AWARDS)
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    bad = (
        "person,day,v,n,kind,ok\n"
        "P1,2022-01-05,3,,,\n"
        "P1,2022-01-06,abc,,,\n"
        "P9,2022-01-07,1,,,\n"
        "P2,2022-01-08,2,,,\n"
    )
    write_tables(tmp_path / "bad", text, {"people": people("P1", "P2"), "records": bad})
    return rules, tmp_path / "bad"


def test_bad_row_exit_3_and_rejects_lists_it(tmp_path: Path) -> None:
    rules, folder = _bad_folder(tmp_path)
    db = tmp_path / "r.db"
    done = run("ingest", folder, "--rules", rules, "--db", db)
    assert done.exit_code == 3, done.output
    assert "records: 4 in, 2 accepted, 2 rejected" in done.stdout
    assert "total: 6 in, 4 accepted, 2 rejected" in done.stdout
    listed = run("rejects", "--db", db)
    assert listed.exit_code == 0, listed.stderr
    lines = listed.stdout.splitlines()
    bad_value = next(line for line in lines if "records.csv:3" in line)
    assert ": v:" in bad_value and "abc" in bad_value
    dangling = next(line for line in lines if "records.csv:4" in line)
    assert "person" in dangling and "P9" in dangling
    assert lines[-1] == "2 rejected row(s)"


def test_reject_lines_are_physical_lines(tmp_path: Path) -> None:
    text = rules_text(TINY_AWARDS)
    rules = tmp_path / "rules.yaml"
    rules.write_text(text, encoding="utf-8")
    records = (
        "person,day,v,n,kind,ok\n"
        'P1,2022-01-05,3,,"two\nlines",\n'  # one row over lines 2-3
        "\n"  # a blank line (4): skipped, not a row
        "P1,2022-01-06,abc,,,\n"  # line 5
    )
    write_tables(tmp_path / "d", text, {"people": people("P1"), "records": records})
    db = tmp_path / "l.db"
    done = run("ingest", tmp_path / "d", "--rules", rules, "--db", db)
    assert done.exit_code == 3
    assert "records: 2 in, 1 accepted, 1 rejected" in done.stdout
    listed = run("rejects", "--db", db).stdout.splitlines()
    assert len(listed) == 2 and "records.csv:5: v:" in listed[0], listed


def test_ingest_output_ends_with_the_total_line(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    rules, data = tiny
    done = run("ingest", data, "--rules", rules, "--db", tmp_path / "e.db")
    assert done.exit_code == 0
    assert last_line(done.stdout) == "total: 5 in, 5 accepted, 0 rejected"


def test_score_with_rejected_rows_exits_3_but_scores(tmp_path: Path) -> None:
    rules, folder = _bad_folder(tmp_path)
    done = run("score", rules, "--data", folder, "--db", tmp_path / "s.db", "--period", "2022")
    assert done.exit_code == 3, done.output
    assert last_line(done.stdout) == "run 1"


def test_strict_ingest_fails_and_writes_nothing(tmp_path: Path) -> None:
    rules, folder = _bad_folder(tmp_path)
    db = tmp_path / "strict.db"
    done = run("ingest", folder, "--rules", rules, "--db", db, "--strict")
    assert done.exit_code == 1, done.output
    assert "error:" in done.stderr
    assert _count(db, "datasets") == 0
    scored = run("score", rules, "--data", folder, "--db", db, "--period", "2022", "--strict")
    assert scored.exit_code == 1
    assert _count(db, "datasets") == 0 and _count(db, "runs") == 0


def test_missing_table_file_is_a_clear_error(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    rules, data = tiny
    (data / "records.csv").unlink()
    db = tmp_path / "m.db"
    done = run("ingest", data, "--rules", rules, "--db", db)
    assert done.exit_code == 1, done.output
    assert "records" in done.stderr
    assert _count(db, "datasets") == 0
    sub = pioneer("ingest", data, "--rules", rules, "--db", tmp_path / "m2.db")
    assert sub.returncode == 1 and "records" in sub.stderr
    assert "internal error" not in sub.stderr


def test_rejects_without_dataset_is_a_clear_error(tmp_path: Path) -> None:
    done = run("rejects", "--db", tmp_path / "none.db")
    assert done.exit_code == 1 and "error:" in done.stderr


# ------------------------------------------------------------------ read commands


def test_explain_shows_tree_metrics_points_and_evidence(shipped: Shipped) -> None:
    top = run("rank", "--db", shipped.db, "--run", "1", "--award", "pioneer_rider", "--limit", "1")
    subject = top.stdout.splitlines()[1].split()[1]
    done = run(
        "explain",
        "--db",
        shipped.db,
        "--run",
        "1",
        "--award",
        "pioneer_rider",
        "--subject",
        subject,
    )
    assert done.exit_code == 0, done.stderr
    out = done.stdout
    assert subject in out.splitlines()[0]
    for node in (
        "business",
        "  volume",
        "  on_time",
        "service",
        "safety",
        "dedication",
        "bonus",
        "deductions",
    ):
        assert node in out, node
    volume = next(line for line in out.splitlines() if line.strip().startswith("volume"))
    assert re.search(r"\s20\s+\d+\s+\d+\.\d\d\s", volume), volume  # max, metric, points
    assert "total = " in out
    assert "evidence" in out
    evidence = out.split("evidence")[1]
    assert re.search(r"deliveries: \d+ record\(s\)", evidence)
    assert re.search(r"PS\d+\s+" + subject, evidence)  # a delivery row of this rider


def test_explain_accepts_latest(shipped: Shipped) -> None:
    done = run(
        "explain",
        "--db",
        shipped.db,
        "--run",
        "latest",
        "--award",
        "pioneer_crew",
        "--subject",
        "T001",
    )
    assert done.exit_code == 0, done.stderr
    assert "run 2," in done.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("explain", "--run", "1", "--award", "nope", "--subject", "R0001"), "nope"),
        (("explain", "--run", "1", "--award", "pioneer_rider", "--subject", "R9999"), "R9999"),
        (("explain", "--run", "99", "--award", "pioneer_rider", "--subject", "R0001"), "99"),
        (("explain", "--run", "abc", "--award", "pioneer_rider", "--subject", "R0001"), "abc"),
        (("rank", "--run", "1", "--award", "nope"), "nope"),
        (("rank", "--run", "42", "--award", "pioneer_rider"), "42"),
        (("export", "--run", "77", "--format", "json"), "77"),
        (("export", "--run", "xyz", "--format", "csv"), "xyz"),
    ],
)
def test_unknown_names_are_clear_errors(
    shipped: Shipped, args: tuple[str, ...], needle: str
) -> None:
    done = run(args[0], "--db", shipped.db, *args[1:])
    assert done.exit_code == 1, done.output
    assert done.stderr.startswith("error:") and needle in done.stderr, done.stderr
    assert done.stdout == ""


def test_read_commands_on_a_missing_store(tmp_path: Path) -> None:
    db = tmp_path / "missing.db"
    done = pioneer("rank", "--db", db, "--run", "latest", "--award", "a")
    assert done.returncode == 1 and "error:" in done.stderr
    assert not db.exists()


def test_rank_limit_shows_that_many_rows(shipped: Shipped) -> None:
    done = run(
        "rank", "--db", shipped.db, "--run", "latest", "--award", "pioneer_rider", "--limit", "3"
    )
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:5] == ["rank", "subject", "name", "unit", "total"]
    assert len(lines) == 4
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"] or all(
        line.split()[0].isdigit() for line in lines[1:]
    )


def test_rank_without_limit_lists_every_subject(shipped: Shipped) -> None:
    done = run("rank", "--db", shipped.db, "--run", "1", "--award", "pioneer_crew")
    lines = done.stdout.splitlines()[1:]
    crews = (DATA / "teams.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    assert len(lines) == len(crews)
    assert lines[-1].split()[0] == "-" or all(line.split()[0].isdigit() for line in lines)


def test_export_to_file(shipped: Shipped, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    done = run("export", "--db", shipped.db, "--run", "latest", "--format", "json", "-o", target)
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("{")
    assert '"id": 2' in target.read_text(encoding="utf-8")
    on_stdout = run("export", "--db", shipped.db, "--run", "latest", "--format", "json")
    assert on_stdout.stdout_bytes == target.read_bytes()


# ------------------------------------------------------------------ audit


def test_audit_verify_ok_on_fresh_store(shipped: Shipped) -> None:
    done = run("audit", "verify", "--db", shipped.db)
    assert done.exit_code == 0, done.stderr
    assert "ok" in done.stdout
    log = run("audit", "log", "--db", shipped.db)
    assert log.exit_code == 0
    assert sum(" score run " in line for line in log.stdout.splitlines()) == 2


def _tamper(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    try:
        triggers = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ]
        for name in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE results SET total = '99.00' WHERE run_id = 2 AND subject = 'P2'",
        "UPDATE results SET selected = 1 WHERE run_id = 2 AND subject = 'P3'",
        "DELETE FROM results WHERE run_id = 2 AND subject = 'P1'",
    ],
)
def test_audit_verify_names_the_tampered_run(tmp_path: Path, sql: str) -> None:
    data = {"people": people("P1", "P2", "P3"), "records": recs("P1", 3) + recs("P2", 5)}
    s = campaign(tmp_path, TINY_AWARDS, data)
    from engine_helpers import rescore

    rescore(s)  # run 2
    s.db.close()
    db = s.tmp / "store.db"
    assert run("audit", "verify", "--db", db).exit_code == 0
    _tamper(db, sql)
    done = run("audit", "verify", "--db", db)
    assert done.exit_code == 1, done.output
    assert "run 2" in done.stderr, done.stderr
    assert "run 1" not in done.stderr


def test_audit_verify_detects_an_edited_audit_entry(tmp_path: Path) -> None:
    s = campaign(tmp_path, TINY_AWARDS, {"people": people("P1")})
    s.db.close()
    db = s.tmp / "store.db"
    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    conn.close()
    audit_table = next(t for t in tables if "audit" in t)
    _tamper(db, f"UPDATE {audit_table} SET actor = 'mallory'")
    done = run("audit", "verify", "--db", db)
    assert done.exit_code == 1, done.output
    assert done.stderr.startswith("error:")


# ------------------------------------------------------------------ usage


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("score").exit_code == 2
    assert run("rank", "--db", tmp_path / "x.db", "--run", "1").exit_code == 2
    done = run("export", "--db", tmp_path / "x.db", "--run", "1", "--format", "pdf")
    assert done.exit_code == 2
    assert (
        run(
            "rank", "--db", tmp_path / "x.db", "--run", "1", "--award", "a", "--limit", "0"
        ).exit_code
        == 2
    )


def test_audit_verify_detects_an_edited_run_hash(tmp_path: Path) -> None:
    s = campaign(tmp_path, TINY_AWARDS, {"people": people("P1")})
    s.db.close()
    db = s.tmp / "store.db"
    _tamper(db, "UPDATE runs SET results_sha256 = '" + "a" * 64 + "' WHERE id = 1")
    done = run("audit", "verify", "--db", db)
    assert done.exit_code == 1, done.output
    assert "run 1" in done.stderr


# ------------------------------------------------------------------ small campaigns


GATED_AWARDS = """
a:
  title: 测试奖
  subjects: people
  eligible: "member"
  veto:
    - {when: "count(records[kind == 'x']) > 0", reason: 发生重大事故}
  criteria:
    k: {max: 10, metric: "sum(records.v)", score: {per: 1}}
empty:
  title: 无人参评
  subjects: nobody
  criteria:
    k: {max: 10, metric: "count(records)", score: {per: 1}}
"""

GATED_TABLES = """
people:
  key: id
  columns: {id: int, name: text, unit: text, member: bool}
nobody:
  key: id
  columns: {id: text, name: text, unit: text}
records:
  date: day
  links: {people: person, nobody: other}
  columns: {person: int, other: text, day: date, v: number, kind: text}
"""


@pytest.fixture
def gated(tmp_path: Path) -> Path:
    data = {
        "people": [
            {"id": 9, "name": "九", "member": True},
            {"id": 10, "name": "十", "member": True},
            {"id": 11, "name": "十一", "member": False},
        ],
        "records": [
            {"person": 9, "day": "2022-03-01", "v": 4},
            {"person": 10, "day": "2022-03-01", "v": 6, "kind": "x"},
            {"person": 11, "day": "2022-03-01", "v": 8},
        ],
    }
    s = campaign(tmp_path, GATED_AWARDS, data, tables=GATED_TABLES)
    s.db.close()
    return s.tmp / "store.db"


def test_rank_and_explain_show_veto_and_ineligibility(gated: Path) -> None:
    done = run("rank", "--db", gated, "--run", "latest", "--award", "a")
    assert done.exit_code == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert [r.split()[:2] for r in rows] == [["1", "9"], ["-", "10"], ["-", "11"]]
    assert "发生重大事故" in rows[1]
    assert "ineligible" in rows[2]
    vetoed = run("explain", "--db", gated, "--run", "1", "--award", "a", "--subject", "10")
    assert vetoed.exit_code == 0, vetoed.stderr
    assert "发生重大事故" in vetoed.stdout and "not ranked" in vetoed.stdout
    inel = run("explain", "--db", gated, "--run", "1", "--award", "a", "--subject", "11")
    assert "NO" in inel.stdout and "member" in inel.stdout


def test_rank_of_an_award_without_subjects_is_empty(gated: Path) -> None:
    done = run("rank", "--db", gated, "--run", "1", "--award", "empty")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0].split()[:2] == ["rank", "subject"]
