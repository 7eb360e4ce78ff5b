"""Whether a CSV file's physical lines can be read by DuckDB exactly as the csv module reads them.

DuckDB's line reader (`duckload`) numbers a file's rows by their position,
so each physical line must be one of its rows and each row one line: that
holds when every line ends the same way (`\\n`, or `\\r\\n` throughout; a lone
`\\r` ends a line for Python's csv module, so it is left to it), when no byte
is NUL or DuckDB's column separator `\\x1f`, and the text is UTF-8. A
GB18030 file is first written out as UTF-8 and scanned as it is written
(`utf8_copy`: read once, besides the encoding pass); its line breaks
and commas are single ASCII bytes in both encodings, so lines and fields stay
where they were. The checks read the file in chunks: bounded memory, C speed.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scoring.ingest.encoding import CHUNK, GB18030

SEPARATOR = "\x1f"
"""The column separator DuckDB is given, so that a whole line is one column."""


@dataclass(frozen=True)
class LineFile:
    """A UTF-8 file DuckDB may read line by line: the path, its line ending, its line count."""

    path: Path
    ending: str  # "\n" or "\r\n": the terminator of every line but perhaps the last
    lines: int  # physical lines (a last line without a terminator counts)
    ends_open: bool  # the last line has no terminator


def scan(path: Path) -> LineFile | str:
    """`path` as a `LineFile`, or why DuckDB cannot read its lines exactly."""
    with path.open("rb") as handle:
        return _scan(path, iter(lambda: handle.read(CHUNK), b""))


def utf8_copy(path: Path, target: Path) -> LineFile | str:
    """Write GB18030 file `path` as UTF-8 to `target` and scan the copy as it is written.

    GB18030's byte-order mark is left out: the csv reader skips it
    (`readers._open_csv`); DuckDB would not. The caller has checked that the
    whole file decodes. The file is read once, the copy never read back.
    """
    with target.open("wb") as out:
        return _scan(target, _written(path, out))


def _written(path: Path, out: BinaryIO) -> Iterator[bytes]:
    """The UTF-8 text of GB18030 file `path` in chunks, each written to `out` as it goes."""
    decoder = codecs.getincrementaldecoder(GB18030)()
    first = True
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            text = decoder.decode(chunk)
            if first and text:
                text = text.removeprefix("\ufeff")
                first = False
            if text:
                out.write(data := text.encode("utf-8"))
                yield data
        if tail := decoder.decode(b"", final=True):
            out.write(data := tail.encode("utf-8"))
            yield data


def _scan(path: Path, chunks: Iterator[bytes]) -> LineFile | str:
    newlines = crlf = cr = 0
    last = b""
    previous_cr = False
    for chunk in chunks:
        if b"\x00" in chunk or SEPARATOR.encode() in chunk:
            return "a NUL byte or a unit separator (U+001F) in the file"
        newlines += chunk.count(b"\n")
        cr += chunk.count(b"\r")
        crlf += chunk.count(b"\r\n") + (previous_cr and chunk.startswith(b"\n"))
        previous_cr = chunk.endswith(b"\r")
        last = chunk[-1:]
    if cr != crlf:
        return "a carriage return that ends no line feed"
    if crlf and crlf != newlines:
        return "lines end both with CR LF and with LF"
    ends_open = last not in (b"\n", b"")
    return LineFile(path, "\r\n" if crlf else "\n", newlines + ends_open, ends_open)
