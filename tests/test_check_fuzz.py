"""`check_file` never crashes: whatever the text, it returns diagnostics.

Three generators: (a) arbitrary text, (b) YAML documents of random shape
(dicts, lists and scalars, some with rule-language keys), (c) small mutations
of a shipped rule file (a line deleted, duplicated, or a token replaced). For
each, the result is either a checked file or at least one error, and every
diagnostic points inside the file and renders.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.diagnostics import Diagnostic, render_all
from scoring.service import check_file
from scoring.source import load_source

ROOT = Path(__file__).parent.parent
SHIPPED = {
    p.name: p.read_text(encoding="utf-8")
    for p in sorted((ROOT / "rules").glob("*.yaml"))
    if not p.name.endswith(".test.yaml")
}

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_well_formed(text: str) -> list[Diagnostic]:
    """Run the checker; it may find problems, but must not raise."""
    diagnostics, ctx = check_file("fuzz.yaml", text)
    assert ctx is not None or any(d.is_error for d in diagnostics), "rejected without an error"
    line_count = max(len(re.split("\r\n|[\r\n\x85\u2028\u2029]", text.removeprefix("\ufeff"))), 1)
    for d in diagnostics:
        assert d.code and d.message and d.severity in ("error", "warning")
        assert 1 <= d.line <= line_count, d
        assert d.col >= 1, d
    render_all(diagnostics)
    return diagnostics


# -- (a) arbitrary text ----------------------------------------------------------------

YAMLISH = st.sampled_from(
    [
        "version: 1\n", "campaign:", "tables:", "awards:", "  ", "- ", ": ", "{", "}", "[", "]",
        ",", "'", '"', "|", ">", "#", "&a ", "*a", "<<: ", "!!str ", "\n", "\t", "\\",
        "metric: ", "score: ", "linear: [0, 1]", "max: 10", "key: id", "sum(t.c)", "见义勇为",
        "\ufeff", "\x07", "\r\n", "---\n", "...\n", "%YAML 1.1\n",
    ]
)  # fmt: skip


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    assert assert_well_formed(text)


@FUZZ
@given(st.lists(st.one_of(YAMLISH, st.text(max_size=5)), max_size=40).map("".join))
def test_yaml_looking_text(text: str) -> None:
    assert_well_formed(text)


# -- (b) YAML documents of random shape ------------------------------------------------

KEYS = st.sampled_from(
    [
        "version", "campaign", "tables", "awards", "id", "title", "key", "date", "columns",
        "links", "type", "criteria", "max", "metric", "score", "linear", "bands", "per",
        "when", "formula", "percentile", "within", "subjects", "eligible", "veto", "bonus",
        "items", "grades", "ranking", "tie_break", "quota", "count", "share", "riders",
    ]
) | st.text(max_size=8)  # fmt: skip

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["text", "int", "number", "date", "sum(a.b)", "x > 1", "node('a')", "1"])
)

DOCUMENTS: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)


@FUZZ
@given(DOCUMENTS, st.sampled_from([None, True, False]))
def test_random_documents(doc: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow)
    assert_well_formed(text)


@FUZZ
@given(
    st.fixed_dictionaries(
        {"version": st.just(1) | SCALARS, "campaign": DOCUMENTS},
        optional={"tables": DOCUMENTS, "awards": DOCUMENTS},
    )
)
def test_random_rule_shaped_documents(doc: dict[str, Any]) -> None:
    assert assert_well_formed(yaml.safe_dump(doc, allow_unicode=True))


# -- (c) mutations of a shipped rule file ------------------------------------------------

TOKENS = st.sampled_from(
    [
        "", "x", "0", "-1", "1.5", "null", "true", "[", "]", "{", "}", ":", "'", '"', "#",
        "riders", "unit", "max", "criteria", "sum(", ")", "node('business')", "见义勇为",
        "pioneer_rider", "count(riders)", "period.end", "subject.id", " and ", "\t",
    ]
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(sorted(SHIPPED.values())))
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "indent"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 3)) + lines[i].lstrip(" ")
        else:
            words = list(re.finditer(r"[\w.']+|[^\w\s]", lines[i]))
            if words:
                word = draw(st.sampled_from(words))
                token = draw(TOKENS)
                lines[i] = lines[i][: word.start()] + token + lines[i][word.end() :]
        if not lines:
            lines = [""]
    return "\n".join(lines)


@settings(FUZZ, max_examples=100)
@given(mutated())
def test_mutated_shipped_rules(text: str) -> None:
    assert_well_formed(text)


def test_shipped_rules_are_clean() -> None:
    """The starting point of the mutations has no diagnostics at all."""
    for text in SHIPPED.values():
        assert assert_well_formed(text) == []


# -- hostile documents -------------------------------------------------------------------

LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 8)
)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        (LAUGHS, "E-YAML", "expands to more than"),  # a billion laughs: refused, not expanded
        ("a: &a [*a]\n", "E-YAML", "nested too deeply"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "E-YAML", "nested too deeply"),
        ("version: 1\x00\n", "E-YAML", "U+0000"),
        ("version: 1\n---\nversion: 1\n", "E-YAML", "another document"),
        ("version: !!python/object:os.system x\n", "E-MISSING", "campaign"),
        ("null\n", "E-SHAPE", "mapping"),
        ("", "E-YAML", "empty"),
        ("\ufeff", "E-YAML", "empty"),
    ],
)
def test_hostile_documents(text: str, code: str, words: str) -> None:
    diagnostics = assert_well_formed(text)
    assert any(d.code == code and words in d.message for d in diagnostics), diagnostics


def test_merge_keys_and_anchors_work() -> None:
    text = (ROOT / "tests/fixtures/rules/valid/minimal.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  riders: {key: id, columns: {id: text, unit: text, party_member: bool}}",
        "  teams: &subject {key: id, columns: {id: text, unit: text, party_member: bool}}\n"
        "  riders: {<<: *subject}",
    )
    assert assert_well_formed(text) == []
    bad = text.replace("{<<: *subject}", "{<<: *subject, columns: {id: text, Unit: text}}")
    codes = [(d.code, d.line) for d in assert_well_formed(bad)]
    assert ("E-IDENT", 6) in codes  # the riders' own `columns` win over the merged ones


# -- positions inside scalars -------------------------------------------------------------

SCALAR_TEXT = st.text(st.sampled_from(list("ab xy_()[]'\"\\#:,{}-见义勇为\t\n")), max_size=40)


@settings(FUZZ, max_examples=200)
@given(
    SCALAR_TEXT,
    st.sampled_from([None, "'", '"', "|", ">"]),
    st.integers(8, 60),
    st.sampled_from([0, 2, 4]),
)
def test_every_scalar_character_maps_to_where_it_was_written(
    value: str, style: str | None, width: int, indent: int
) -> None:
    """Quotes, escapes, folding and block scalars: the file text at each
    mapped position is the character (or the escape that wrote it)."""
    text = yaml.safe_dump({"k": value}, default_style=style, width=width, allow_unicode=True)
    path: tuple[str, ...] = ("k",)
    if indent:
        text = "outer:\n" + "".join(" " * indent + line + "\n" for line in text.splitlines())
        path = ("outer", "k")
    src = load_source("scalar.yaml", text)
    chars = src.scalar_chars(path)
    if style in (None, "'", '"'):
        assert chars is not None, text  # flow scalars are always mapped exactly
    if chars is None:
        return
    assert "".join(c.char for c in chars).rstrip("\n") == value.rstrip("\n")
    for c in chars:
        written = src.lines[c.line - 1][c.col - 1 : c.end_col - 1]
        if c.end_col - c.col == 1 and c.char not in " \n":
            assert written == c.char, (text, c)
        elif c.end_col - c.col > 1:
            assert written.startswith(("\\", "''")), (text, c)
