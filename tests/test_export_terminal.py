"""`pioneer export --format xlsx` with no `-o`, on a real terminal (a pseudo-terminal,
not a patched check): refused in words on standard error, exit 1, and not one
byte of the workbook reaches the terminal. Piped, the same command writes it."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import campaign, people, recs
from test_cli_engine import TINY_AWARDS


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("terminal")
    data = {"people": people("P1", "P2"), "records": recs("P1", 3)}
    return campaign(tmp, TINY_AWARDS, data).tmp / "store.db"


def _export(store: Path, stdout: int) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "scoring", "export", "--db", str(store)]
    return subprocess.run(
        [*command, "--run", "1", "--format", "xlsx"],
        stdout=stdout,
        stderr=subprocess.PIPE,
        check=False,
        timeout=60,
    )


def _drain(fd: int) -> bytes:
    """Whatever the terminal received (nothing waits once the child has exited)."""
    out = b""
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # Linux: the other side is closed and nothing is left
            break
        if not chunk:
            break
        out += chunk
    return out


def test_xlsx_to_a_terminal_is_refused_and_writes_no_bytes_there(store: Path) -> None:
    master, slave = pty.openpty()
    try:
        done = _export(store, slave)
        os.close(slave)
        slave = -1
        shown = _drain(master)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    assert done.returncode == 1
    assert done.stderr.decode("utf-8") == (
        "error: an xlsx file would print as garbage on the terminal (write it to a file: -o FILE)\n"
    )
    assert shown == b""


def test_xlsx_to_a_pipe_is_the_workbook(store: Path) -> None:
    done = _export(store, subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"PK\x03\x04"  # a zip container: the xlsx itself
