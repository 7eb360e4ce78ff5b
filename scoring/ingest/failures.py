"""The typed errors of an ingest; each reads `path:line: column: message`."""

from __future__ import annotations

from collections.abc import Sequence

from scoring.errors import PioneerError


class IngestError(PioneerError):
    """An ingest that wrote nothing: a whole-file problem, a strict-mode reject, a bad catalog.

    `file`, `line` and `column` say where (each may be unknown); `also` holds
    further errors found in the same pass, so that a user sees every missing
    file at once rather than one per attempt.
    """

    column: str | None  # a column name

    def __init__(
        self,
        file: str | None,
        line: int | None,
        column: str | None,
        message: str,
        also: Sequence[IngestError] = (),
    ) -> None:
        super().__init__(message, file=file, line=line, column=column)
        self.also = tuple(also)

    def location(self) -> str:
        """`path:line: column: message` for this error alone, omitting unknown parts."""
        parts = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.column:
            parts.append(self.column)
        parts.append(self.message)
        return ": ".join(parts)

    def __str__(self) -> str:
        return "\n".join([self.location(), *(error.location() for error in self.also)])


class FileError(IngestError):
    """A whole-file problem: no file, several files, empty, undecodable, a missing column."""


class RejectError(IngestError):
    """Strict mode: the first rejected row, which stops the ingest."""

    def __init__(
        self, file: str, line: int | None, column: str | None, value: str | None, reason: str
    ) -> None:
        super().__init__(file, line, column, reason)
        self.value = value


class CatalogError(IngestError):
    """The catalog cannot drive an ingest (a link to an unknown table, a reserved name)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, None, None, message)


def combine(errors: Sequence[FileError]) -> FileError:
    """One error to raise for several: the first, carrying the others in `also`."""
    first = errors[0]
    return FileError(first.file, first.line, first.column, first.message, errors[1:])
