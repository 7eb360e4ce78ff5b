"""The schemas as an editor uses them: yaml-language-server (when it is
installed, e.g. `npm i -g yaml-language-server`) shows each key's Chinese and
English description on hover and marks a misspelt key or `98%` on its line,
in a rule file and in a rule unit test file, through the modelines."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import LspClient

ROOT = Path(__file__).resolve().parent.parent
SERVER = shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="yaml-language-server is not installed")


@pytest.fixture(scope="module")
def editor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LspClient, Path]]:
    folder = tmp_path_factory.mktemp("editor")
    for name in (
        "schema.json",
        "test.schema.json",
        "three_pioneers.yaml",
        "three_pioneers.test.yaml",
    ):
        shutil.copy(ROOT / "rules" / name, folder / name)
    assert SERVER is not None
    client = LspClient([SERVER, "--stdio"], folder)
    yield client, folder
    client.close()


def line_col(path: Path, text: str) -> tuple[int, int]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return n, line.index(text) + 1
    raise AssertionError(text)


def test_shipped_files_open_clean_and_hover_explains_keys(editor: tuple[LspClient, Path]) -> None:
    client, folder = editor
    rules = folder / "three_pioneers.yaml"
    assert client.open(rules) == []
    line, col = line_col(rules, 'metric: "sum(deliveries.parcels)"')
    text = client.hover(rules, line, col + 1)
    assert "指标" in text and "The value x that the score maps to points" in text
    line, col = line_col(rules, "quota: {share: 0.1")
    assert "名额" in client.hover(rules, line, col + 1)
    tests = folder / "three_pioneers.test.yaml"
    assert client.open(tests) == []
    line, col = line_col(tests, "boundary_tie: false")
    assert "卡线同分" in client.hover(tests, line, col + 1)


def test_mistakes_are_marked_on_their_line(editor: tuple[LspClient, Path]) -> None:
    client, folder = editor
    rules = folder / "broken.yaml"
    text = (folder / "three_pioneers.yaml").read_text(encoding="utf-8")
    text = text.replace('metric: "sum(deliveries.parcels)"', 'metirc: "sum(deliveries.parcels)"', 1)
    text = text.replace("{min: 0.98, points: 20}", "{min: 98%, points: 20}", 1)
    rules.write_text(text, encoding="utf-8")
    found = {(d["range"]["start"]["line"] + 1, d["message"]) for d in client.open(rules)}
    assert (line_col(rules, "metirc")[0], "Property metirc is not allowed.") in found
    assert any(line == line_col(rules, "98%")[0] and "number" in m for line, m in found), found
    tests = folder / "broken.test.yaml"
    test_text = (folder / "three_pioneers.test.yaml").read_text(encoding="utf-8")
    tests.write_text(test_text.replace("total: 110", "totl: 110", 1), encoding="utf-8")
    found = {(d["range"]["start"]["line"] + 1, d["message"]) for d in client.open(tests)}
    assert (line_col(tests, "totl: 110")[0], "Property totl is not allowed.") in found
