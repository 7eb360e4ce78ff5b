"""What a county clerk reads on the README tour's review steps: `object`
says how to resolve the objection with a command that runs as printed, and
`explain` gives the review's reason when the review took a seat away (an
objection upheld) or a reviewer resolved the boundary tie."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from review_helpers import Store, in_review, invoke

from scoring import cli, service


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return in_review(tmp_path)


def notes(store: Store, subject: str) -> list[str]:
    result = invoke("explain", "--db", store.path, "--run", "1", "--award", "a",
                    "--subject", subject)  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("rank "))
    return [line.strip() for line in lines[head + 1 : lines.index("", head)]]


def test_object_prints_a_resolve_command_that_runs(store: Store) -> None:
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    said = store.ok("object", "--subject", "P1", "--objector", "张三", "--reason", "材料不实",
                    "--as", "alice", "--today", "2022-09-30")  # fmt: skip
    command = said.split("resolve it with `", 1)[1].split("`", 1)[0]
    words = shlex.split(command)
    assert words[:2] == ["pioneer", "resolve-objection"]
    done = invoke(*words[1:], "--reason", "查实", "--as", "bob", "--today", "2022-09-30")
    assert done.exit_code == 0, done.output
    assert "objection 1 upheld" in done.stdout


def test_explain_after_an_upheld_objection_gives_the_objection(store: Store) -> None:
    store.ok("resolve-tie", "--award", "a", "--select", "P3", "--as", "alice")
    store.ok("notice", "--as", "pat", "--today", "2022-09-29")
    store.ok("object", "--subject", "P1", "--objector", "张三", "--reason", "材料不实",
             "--as", "alice", "--today", "2022-09-30")  # fmt: skip
    store.ok("resolve-objection", "1", "--upheld", "--reason", "查实", "--as", "bob",
             "--today", "2022-09-30")  # fmt: skip
    assert notes(store, "P1") == [
        "why not selected: an objection to it was upheld (objection 1 by 张三); the next in "
        "rank took its seat (递补)"
    ]


def test_explain_after_a_resolved_tie_names_the_choice(store: Store) -> None:
    assert notes(store, "P3")[0].startswith("why not selected: boundary tie open at rank 3")
    store.ok("resolve-tie", "--award", "a", "--select", "P4", "--reason", "服务更好",
             "--as", "alice", "--today", "2022-09-02")  # fmt: skip
    said = notes(store, "P3")
    assert said[0] == (
        "why not selected: the boundary tie of P3, P4 was resolved by alice on 2022-09-02: "
        "P4 selected (服务更好)"
    )
    assert not any("boundary tie open" in line or "to resolve" in line for line in said)
    assert not any(line.startswith("why not selected") for line in notes(store, "P4"))


def test_a_subject_key_in_the_wrong_case_is_suggested(store: Store) -> None:
    result = invoke("explain", "--db", store.path, "--run", "1", "--award", "a", "--subject", "p3")
    assert result.exit_code == 1
    assert result.stderr == "error: award `a` of run 1 has no subject `p3` (did you mean `P3`?)\n"
    err = store.refused("flag", "--subject", "p1", "--reason", "待核实", "--as", "alice")
    assert err == "error: run 1 has no subject `p1` in any award (did you mean `P1`?)\n"
    err = store.refused("flag", "--subject", "Q7", "--reason", "待核实", "--as", "alice")
    assert err == "error: run 1 has no subject `Q7` in any award\n"


def test_an_unknown_run_lists_the_runs_there_are(store: Store) -> None:
    result = invoke("rank", "--db", store.path, "--run", "9", "--award", "a")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: there is no run 9 in this store "
        "(its runs: 1; `pioneer status` shows one with `--run ID`)\n"
    )


def test_remedies_name_the_store_the_command_was_given(tmp_path: Path) -> None:
    empty = tmp_path / "空 store.db"
    service.open_db(empty).close()
    result = invoke("rank", "--db", empty, "--run", "latest", "--award", "a")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: this store has no runs yet "
        f"(score one with `pioneer score R --db {shlex.quote(str(empty))} --period P`)\n"
    )


def test_export_xlsx_to_a_terminal_asks_for_a_file(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "stdout_is_terminal", lambda: True)
    result = invoke("export", "--db", store.path, "--run", "1", "--format", "xlsx")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "error: an xlsx file would print as garbage on the terminal (write it to a file: -o FILE)\n"
    )
    target = store.path.parent / "公示.xlsx"
    written = invoke("export", "--db", store.path, "--run", "1", "--format", "xlsx", "-o", target)
    assert written.exit_code == 0 and target.read_bytes()[:2] == b"PK"
    monkeypatch.setattr(cli, "stdout_is_terminal", lambda: False)  # a pipe gets the bytes
    piped = invoke("export", "--db", store.path, "--run", "1", "--format", "xlsx")
    assert piped.exit_code == 0 and piped.stdout_bytes[:2] == b"PK"
