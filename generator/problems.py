"""Problems found in volunteers' files, reported all at once as `file:line:col: field: message`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, located precisely enough to jump to it in an editor."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return ": ".join(part for part in (where, self.field, self.message) if part)


class GuideError(Exception):
    """A mistake the user can fix; the CLI prints it without a traceback and exits non-zero."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", 0, 0, "", problems)]
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


def display_path(path: Path, root: Path) -> str:
    """Paths in messages are relative to the project, as a volunteer sees them in the file list (a link by
    its own name, not its target's: a link to nowhere is named as the volunteer sees it)."""
    try:
        return (path.parent.resolve() / path.name).relative_to(_resolved(root)).as_posix()
    except ValueError:
        return str(path)


@lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    return root.resolve()
