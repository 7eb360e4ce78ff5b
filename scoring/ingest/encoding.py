"""A CSV's encoding, decided on the whole file (SPEC §3), in bounded memory.

UTF-8 (with or without BOM) when every byte of the file decodes as UTF-8,
else GB18030 when every byte decodes as GB18030, else the file is
undecodable. The first bytes never decide it: `票号` in GB18030 is
`C6 B1 BA C5`, and `C6 B1` happens to be valid UTF-8. The file is read in
chunks through an incremental decoder, so a file of any size costs one
chunk of memory; the parse pass reads it again with the encoding chosen.

A file that starts with the UTF-8 byte-order mark has declared itself UTF-8:
it is read as UTF-8 or not at all (as GB18030 its mark would turn into the
mojibake `锘縙` at the front of the header).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path

from scoring.ingest.failures import FileError

CHUNK = 1 << 20
"""Bytes read at a time by the decision pass and the line counter."""

UTF8 = "utf-8-sig"  # strips the byte-order mark when there is one
GB18030 = "gb18030"


Chunks = Callable[[], Iterator[bytes]]
"""Reads a file from its start, a chunk at a time (called once per pass)."""


def file_chunks(path: Path) -> Chunks:
    """The chunks of the file at `path`; reading it raises FileError on an OS error."""
    return lambda: _chunks(path)


def _chunks(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    except OSError as error:
        raise FileError(str(path), None, None, f"cannot read the file: {error.strerror}") from None


def first_bad_byte(chunks: Chunks, encoding: str, skip: int = 0) -> int | None:
    """The offset of the first byte that `encoding` cannot decode, or None.

    `skip` bytes at the start (a byte-order mark) are not decoded. A file
    that ends inside a multi-byte character fails at that character.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0  # offset in the file of the next chunk's first byte
    for chunk in chunks():
        if consumed < skip:
            start = min(skip - consumed, len(chunk))
            consumed += start
            chunk = chunk[start:]
        pending = decoder.getstate()[0]  # the undecoded tail of the last chunk, at a boundary
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return consumed - len(pending) + _bad_at(pending + chunk, encoding)
        consumed += len(chunk)
    pending = decoder.getstate()[0]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return consumed - len(pending)
    return None


def _bad_at(data: bytes, encoding: str) -> int:
    """The offset of the first undecodable byte in `data`, which starts at a boundary."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start
    raise AssertionError("an incremental decoder failed where a whole decode did not")


def line_at(chunks: Chunks, offset: int) -> int:
    """The physical line (1-based; `\\n`, `\\r` and `\\r\\n` end a line) holding byte `offset`."""
    line, done, after_cr = 1, 0, False
    for chunk in chunks():
        part = chunk[: offset - done]
        line += part.count(b"\n") + part.count(b"\r") - part.count(b"\r\n")
        if after_cr and part.startswith(b"\n"):
            line -= 1
        after_cr = part.endswith(b"\r")
        done += len(part)
        if done >= offset:
            break
    return line


def undecodable(path: Path, chunks: Chunks, offset: int, what: str) -> FileError:
    """The whole-file error for an undecodable byte at `offset`, naming its line."""
    line = line_at(chunks, offset)
    return FileError(
        str(path), line, None, f"undecodable bytes at line {line}: the file is not {what}"
    )


def csv_encoding(path: Path, chunks: Chunks | None = None) -> str:
    """The codec to read CSV `path` with (`UTF8` or `GB18030`); FileError when neither fits.

    When neither decodes the whole file, the error names the first bad byte
    of the reading that got furthest (ties go to UTF-8 when what precedes is
    not plain ASCII, since a run of valid multi-byte UTF-8 is no accident).
    """
    chunks = chunks or file_chunks(path)
    head = _head(chunks, 4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileError(
            str(path), 1, None, "the file is UTF-16 text; save it as CSV (UTF-8 or GB18030)"
        )
    bom = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    utf8_bad = first_bad_byte(chunks, "utf-8", skip=bom)
    if utf8_bad is None:
        return UTF8
    if bom:
        raise undecodable(path, chunks, utf8_bad, "valid UTF-8")
    gb_bad = first_bad_byte(chunks, GB18030)
    if gb_bad is None:
        return GB18030
    if gb_bad > utf8_bad:
        raise undecodable(path, chunks, gb_bad, "valid GB18030")
    if utf8_bad > gb_bad or not _ascii_before(chunks, utf8_bad):
        raise undecodable(path, chunks, utf8_bad, "valid UTF-8")
    raise undecodable(path, chunks, utf8_bad, "UTF-8 or GB18030")


def _head(chunks: Chunks, size: int) -> bytes:
    head = b""
    for chunk in chunks():
        head += chunk[: size - len(head)]
        if len(head) >= size:
            break
    return head


def _ascii_before(chunks: Chunks, offset: int) -> bool:
    done = 0
    for chunk in chunks():
        if not chunk[: offset - done].isascii():
            return False
        done += len(chunk)
        if done >= offset:
            break
    return True
