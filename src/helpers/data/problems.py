"""A problem found in the data, named by file, physical line and column, and the error that lists them all."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # physical line, header = line 1; None for a file-level problem
    column: str | None
    value: str | None
    expected: str  # empty when `fix` says it all ("a blank line: delete it")
    fix: str | None = None  # the likely fix, when one is: "did you mean 'shopee'?"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        text = where if self.value is None else f"{where}: got {self.value!r}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.fix:
            text += (": " if self.value is None and not self.expected else "; ") + self.fix
        return text


def _listed(problems, limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    shown = [f"  - {p}" for p in problems[:limit]]
    if len(problems) > limit:
        shown.append(f"  ... and {len(problems) - limit} more")
    return shown


class DataValidationError(ValueError):
    """Raised with every problem found in the data package, one per line (and the warnings)."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] = ()):
        self.problems = list(problems)
        self.warnings = list(warnings)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"data package is invalid ({len(self.problems)} {noun}):", *_listed(self.problems)]
        if self.warnings:
            lines += ["and to look at (warnings, not errors):", *_listed(self.warnings)]
        super().__init__("\n".join(lines))
