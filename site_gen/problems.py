"""Problems found in content, reported the way a compiler reports them.

Every stage appends to one `Report`, so a clerk sees every mistake in one run
instead of fixing them one build at a time.
"""
from __future__ import annotations

import difflib
import itertools
import operator
from dataclasses import dataclass, field

from .safetext import terminal

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    path: str  # as shown to the clerk: relative to the content folder's parent
    line: int
    message: str
    hint: str | None = None
    severity: str = ERROR

    def sort_key(self) -> tuple:
        return _ORDER(self)

    def format(self) -> str:
        # messages quote content (a key, a value, a file name): printed through `terminal`,
        # none can clear the screen or start a line of its own (a `::` workflow command)
        label = "" if self.severity == ERROR else "warning: "
        text = f"{terminal(self.path)}:{self.line}: {label}{terminal(self.message)}"
        if self.hint:
            text += f"\n    hint: {terminal(self.hint)}"
        return text

    def github_annotation(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the PR line."""
        kind = "error" if self.severity == ERROR else "warning"
        message = self.message + (f" (hint: {self.hint})" if self.hint else "")
        # line breaks are %-encoded (GitHub shows them); any other control is shown as an escape
        return (f"::{kind} file={terminal(_escape_property(self.path))},line={self.line}::"
                f"{terminal(_escape_data(message))}")


# a problem's place in a report: by file and line, errors first ("error" < "warning"); made in C
_ORDER = operator.attrgetter("path", "line", "severity", "message")
_SEVERITY = operator.attrgetter("severity")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(path, max(line, 1), message, hint, ERROR))

    def warning(self, path: str, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(path, max(line, 1), message, hint, WARNING))

    # asked for several times a build, of a large archive's tens of thousands of warnings: picked in C
    @property
    def errors(self) -> list[Problem]:
        return self._of(ERROR)

    @property
    def warnings(self) -> list[Problem]:
        return self._of(WARNING)

    def _of(self, severity: str) -> list[Problem]:
        return list(itertools.compress(self.problems, map(severity.__eq__, map(_SEVERITY, self.problems))))

    def sorted(self) -> list[Problem]:
        # each problem once, in order (a large archive's tens of thousands of warnings, at every build)
        return sorted(dict.fromkeys(self.problems), key=_ORDER)


def did_you_mean(word: str, choices, what: str = "") -> str | None:
    """A hint naming the closest known spelling, or listing the choices."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if choices and len(choices) <= 12:
        listed = ", ".join(f"`{c}`" for c in choices)
        return f"known {what}: {listed}" if what else f"expected one of: {listed}"
    return None
