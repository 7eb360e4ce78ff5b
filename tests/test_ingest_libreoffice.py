"""GB18030 CSVs saved by LibreOffice, as a county office makes them.

Workbooks written with openpyxl are converted by LibreOffice headless with the
CSV export filter and character set 85 (GB18030 in LibreOffice's numbering):
one small workbook per shipped `header:` word (the word first in the file,
一般 first in the second row), and the whole shipped example. Skipped where
LibreOffice (`soffice`) is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from test_ingest_encoding import HEADER_WORDS
from test_ingest_pinned import EXAMPLE, EXAMPLE_SHA256, GOLDEN

from scoring import service
from scoring.ingest.encoding import GB18030, csv_encoding
from scoring.ingest.readers import RawRow, open_source

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.usefixtures("ingest_reader"),
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]

GB18030_CSV = "csv:Text - txt - csv (StarCalc):44,34,85"


def _workbook(path: Path, rows: list[list[str]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)


def _convert(sources: list[Path], out: Path, profile: Path) -> None:
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            GB18030_CSV,
            "--outdir",
            str(out),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every header word's workbook and every example table, saved as GB18030 CSV."""
    base = tmp_path_factory.mktemp("libreoffice")
    books = base / "books"
    books.mkdir()
    sources = []
    for index, word in enumerate(HEADER_WORDS):
        path = books / f"word{index:03d}.xlsx"
        _workbook(path, [[word, "备注"], ["一般", "票号"]])
        sources.append(path)
    for csv_path in sorted(EXAMPLE.glob("*.csv")):
        rows = [line.split(",") for line in csv_path.read_text("utf-8").splitlines()]
        assert all('"' not in cell for row in rows for cell in row)  # plain fields only
        path = books / f"{csv_path.stem}.xlsx"
        _workbook(path, rows)  # every cell a string, as in the CSV
        sources.append(path)
    out = base / "out"
    _convert(sources, out, base / "profile")
    return out


@pytest.mark.parametrize("index", range(len(HEADER_WORDS)))
def test_libreoffice_gb18030_with_each_header_word(converted: Path, index: int) -> None:
    path = converted / f"word{index:03d}.csv"
    word = HEADER_WORDS[index]
    assert path.read_bytes().startswith(word.encode("gb18030"))  # really GB18030
    assert csv_encoding(path) == GB18030
    source = open_source(path)
    try:
        assert (source.header, list(source.rows)) == ((word, "备注"), [RawRow(2, ("一般", "票号"))])
    finally:
        source.close()


def test_libreoffice_gb18030_example_gives_the_same_dataset(
    converted: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for csv_path in EXAMPLE.glob("*.csv"):
        shutil.copy(converted / csv_path.name, folder / csv_path.name)
    assert (folder / "ballots.csv").read_bytes().startswith("票号".encode("gb18030"))
    db = service.open_db(tmp_path / "store.db", actor="t")
    for campaign, sha in EXAMPLE_SHA256.items():
        rules = service.load(GOLDEN / f"{campaign}.yaml")
        report = service.ingest_folder(db, rules, folder, actor="t")
        assert (report.sha256, report.rejected) == (sha, 0)
