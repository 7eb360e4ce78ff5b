"""A CSV's encoding is decided on the whole file (SPEC §3, fourth revision).

Real files: every `header:` word of the shipped rules at the start of a
GB18030 (and GBK) file, with 一般 starting the second row; the shipped example
folder re-saved as GB18030 and as GBK, which must give the very dataset the
UTF-8 folder gives; files of more than one read chunk whose one bad byte comes
late.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ingest_pinned import EXAMPLE, EXAMPLE_SHA256, GOLDEN

from scoring import service
from scoring.ingest import encoding
from scoring.ingest.encoding import GB18030, UTF8, csv_encoding
from scoring.ingest.failures import FileError
from scoring.ingest.readers import RawRow, open_source

pytestmark = pytest.mark.usefixtures("ingest_reader")  # every test runs through both ingest paths

ROOT = Path(__file__).resolve().parent.parent


def shipped_header_words() -> list[str]:
    """Every distinct `header:` of every table of every shipped rule file."""
    words: dict[str, None] = {}
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        for info in service.load(path).plan.catalog.tables.values():
            words.update(dict.fromkeys(info.headers.values()))
    return list(words)


HEADER_WORDS = shipped_header_words()


def read(path: Path) -> tuple[tuple[str, ...], list[RawRow]]:
    source = open_source(path)
    try:
        return source.header, list(source.rows)
    finally:
        source.close()


def utf8_prefix(data: bytes) -> int:
    """How many leading bytes of `data` decode as UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return len(data)


def test_the_shipped_headers_include_the_trap() -> None:
    # 票号 in GB18030 is C6 B1 BA C5, and C6 B1 is valid UTF-8: such words
    # made the old first-bytes guess call a GB18030 file broken UTF-8.
    trapped = [w for w in HEADER_WORDS if utf8_prefix(w.encode("gb18030")) >= 2]
    assert "票号" in trapped
    assert len(trapped) >= 10
    assert utf8_prefix("一般".encode("gb18030")) == 2  # D2 BB is valid UTF-8 too


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
@pytest.mark.parametrize("word", HEADER_WORDS)
def test_every_shipped_header_word_starts_a_file(tmp_path: Path, word: str, codec: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(f"{word},备注\r\n一般,票号\r\n".encode(codec))
    assert csv_encoding(path) == GB18030
    assert read(path) == ((word, "备注"), [RawRow(2, ("一般", "票号"))])


def _convert_folder(target: Path, codec: str) -> Path:
    target.mkdir()
    for path in EXAMPLE.iterdir():
        if path.suffix == ".csv":
            (target / path.name).write_bytes(path.read_text("utf-8").encode(codec))
    return target


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
def test_example_saved_in_chinese_encodings_gives_the_same_dataset(
    tmp_path: Path, codec: str
) -> None:
    folder = _convert_folder(tmp_path / codec, codec)
    db = service.open_db(tmp_path / "store.db", actor="t")
    for campaign, sha in EXAMPLE_SHA256.items():
        report = service.ingest_folder(
            db, service.load(GOLDEN / f"{campaign}.yaml"), folder, actor="t"
        )
        assert (report.sha256, report.rejected) == (sha, 0)


# -- files larger than one chunk, one bad byte late ---------------------------------


def _big(rows: int) -> str:
    return "票号,投票人,测评意见\n" + "".join(f"BP{i:08d},R{i:04d},一般\n" for i in range(rows))


def test_utf8_file_with_one_late_bad_byte_is_refused_at_its_line(tmp_path: Path) -> None:
    data = _big(60_000).encode("utf-8")  # about 1.5 MB: more than one read chunk
    assert len(data) > encoding.CHUNK
    cut = data.index(b"BP00059000")  # line 59002
    path = tmp_path / "ballots.csv"
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    with pytest.raises(FileError) as caught:
        read(path)
    assert caught.value.line == 59002
    assert caught.value.message == "undecodable bytes at line 59002: the file is not valid UTF-8"


def test_gb18030_file_with_one_late_bad_byte_is_refused_at_its_line(tmp_path: Path) -> None:
    data = _big(60_000).encode("gb18030")
    cut = data.index(b"BP00059999")  # line 60001, the last
    path = tmp_path / "ballots.csv"
    path.write_bytes(data[:cut] + b"\x80" + data[cut:])
    with pytest.raises(FileError) as caught:
        read(path)
    assert str(caught.value) == (
        f"{path}:60001: undecodable bytes at line 60001: the file is not valid GB18030"
    )


def test_late_bad_byte_writes_nothing_of_any_table(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(EXAMPLE, tmp_path / "data"))
    ballots = folder / "ballots.csv"
    ballots.write_bytes(ballots.read_bytes().rstrip(b"\n") + b"\xc3\n")
    db = service.open_db(tmp_path / "store.db", actor="t")
    rules = service.load(GOLDEN / "three_pioneers.yaml")
    with pytest.raises(service.PioneerError) as caught:
        service.ingest_folder(db, rules, folder, actor="t")
    lines = ballots.read_bytes().count(b"\n")
    assert f"ballots.csv:{lines}: undecodable bytes at line {lines}" in str(caught.value)
    assert db.execute("SELECT count(*) FROM datasets").fetchone()[0] == 0


def test_gb18030_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeff票号,说明\n1,一般\n".encode("gb18030"))
    assert read(path) == (("票号", "说明"), [RawRow(2, ("1", "一般"))])


def test_utf8_bom_file_is_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeff票号\n一般\n".encode())
    assert csv_encoding(path) == UTF8
    assert read(path) == (("票号",), [RawRow(2, ("一般",))])


# -- the decision does not depend on where chunks end ------------------------------

TEXT = st.text(alphabet=st.sampled_from(list('ab,1\n\r"') + list("票号一般石魏片é€")), max_size=40)


def _reference(data: bytes) -> tuple[str, int | None]:
    """The decision made on the whole file at once: codec, or the bad byte's offset."""
    try:
        data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        return UTF8, None
    except UnicodeDecodeError as error:
        utf8_bad = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
    if data.startswith(b"\xef\xbb\xbf"):
        return "error", utf8_bad
    try:
        data.decode("gb18030")
        return GB18030, None
    except UnicodeDecodeError as error:
        return "error", max(utf8_bad, error.start)


def _lines_before(data: bytes, offset: int) -> int:
    before = data[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


@settings(max_examples=300, deadline=None)
@given(
    text=TEXT,
    codec=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    junk=st.sampled_from([b"", b"\xff", b"\x80", b"\xc3", b"\xe4\xb8"]),
    at=st.integers(min_value=0, max_value=200),
    chunk=st.integers(min_value=1, max_value=9),
)
def test_decision_is_the_whole_file_decision_whatever_the_chunk_size(
    text: str, codec: str, junk: bytes, at: int, chunk: int
) -> None:
    data = text.encode(codec)
    at = min(at, len(data))
    data = data[:at] + junk + data[at:]

    def chunks() -> Iterator[bytes]:
        return (data[i : i + chunk] for i in range(0, len(data), chunk))

    expected, offset = _reference(data)
    try:
        decided = csv_encoding(Path("t.csv"), chunks)
    except FileError as error:
        assert expected == "error"
        assert offset is not None
        assert error.line == _lines_before(data, offset)
    else:
        assert decided == expected


# -- no cell-size limit (issue 8, point 6) -------------------------------------------


@pytest.mark.parametrize("codec", ["utf-8", "gb18030"])
def test_a_10_mb_cell_loads(tmp_path: Path, codec: str) -> None:
    folder = Path(shutil.copytree(EXAMPLE, tmp_path / "data"))
    riders = folder / "riders.csv"
    lines = riders.read_text("utf-8").split("\n")
    big = "长" * 3_000_000 + ',\n"' + "x" * 1_000_000  # 10 MB of UTF-8, commas, quotes, lines
    cells = lines[5].split(",")
    cells[1] = '"' + big.replace('"', '""') + '"'
    lines[5] = ",".join(cells)
    riders.write_bytes("\n".join(lines).encode(codec))
    assert len(big.encode("utf-8")) >= 10_000_000
    db = service.open_db(tmp_path / "store.db", actor="t")
    rules = service.load(GOLDEN / "three_pioneers.yaml")
    report = service.ingest_folder(db, rules, folder, actor="t")
    assert (report.rejected, report.counts("riders").accepted) == (0, 360)
    row = db.execute(
        f"SELECT _line, name FROM ds{report.dataset_id}_riders WHERE id = 'R0005'"
    ).fetchone()
    assert row == (6, big)
    after = db.execute(
        f"SELECT _line FROM ds{report.dataset_id}_riders WHERE id = 'R0006'"
    ).fetchone()
    assert after == (8,)  # the cell spans two physical lines


def test_a_10_mb_jsonl_cell_loads(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    big = "长" * 3_500_000
    path.write_text('{"id": "R1", "note": "' + big + '"}\n{"id": "R2"}\n', "utf-8")
    source = open_source(path)
    try:
        rows = list(source.rows)
    finally:
        source.close()
    assert [row.line for row in rows] == [1, 2]
    assert rows[0].cells == ("R1", big)


def test_a_file_changed_between_the_passes_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(_big(5_000).encode("utf-8"))  # about 130 kB: read in several buffers
    source = open_source(path)  # the encoding is decided: UTF-8
    try:
        with path.open("r+b") as handle:  # someone saves over it meanwhile
            handle.seek(100_000)
            handle.write(b"\xff\xfe")
        with pytest.raises(FileError) as caught:
            list(source.rows)
    finally:
        source.close()
    assert caught.value.message == "the file changed while it was being read"
    assert caught.value.line is not None and caught.value.line > 3000
