"""The 公示 list flattens control characters (a line break or tab inside a
cell) to spaces: exactly Unicode's category Cc (a set Unicode's stability
policy fixes: C0, DEL and C1), checked over the first 64k code points."""

from __future__ import annotations

import unicodedata

from scoring.export.notice import neutralise


def test_exactly_the_control_characters_become_spaces() -> None:
    every = "".join(map(chr, range(1, 0x10000)))
    expected = "".join(" " if unicodedata.category(c) == "Cc" else c for c in every)
    assert neutralise("x" + every) == "x" + expected
    assert neutralise("=a\tb\r\nc\x85") == "'=a b  c "
