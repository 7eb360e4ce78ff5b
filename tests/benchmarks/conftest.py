"""Print the benchmark ratios after pytest-benchmark's own table."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any) -> None:
    from test_bench_sql import ratio_lines

    for line in ratio_lines():
        terminalreporter.write_line(line)
