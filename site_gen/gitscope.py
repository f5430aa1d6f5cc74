"""What a change touched, from git: for the commit check, the pull-request check and `check`.

One rule for the pre-commit hook and the pull-request check: errors anywhere fail, warnings
fail only on the lines the change touched. The hook checks what is being committed (the
index, exported to a folder of its own), never the working folder, so a file that is on the
clerk's computer but not in the commit cannot make the check pass.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class GitUnavailable(Exception):
    """Not a git repository, or git is missing: there is no change to scope to."""


@dataclass
class Scope:
    """The files a change touched (as shown to clerks: content/…) and, for each, its touched lines.

    `lines[path] is None` means every line (a new or untracked file)."""

    shown_root: str
    files: set[str] = field(default_factory=set)
    lines: dict[str, set[int] | None] = field(default_factory=dict)
    what: str = "you changed"  # how the output names the change: "you changed", "this commit changes", …
    other: str = "you have not changed"  # and the files outside it

    def touches_file(self, path: str) -> bool:
        return path in self.files

    def touches(self, path: str, line: int) -> bool:
        if path not in self.lines:
            return False
        lines = self.lines[path]
        return lines is None or line in lines


def _git(cwd: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except OSError as exc:
        raise GitUnavailable(str(exc)) from None
    if done.returncode != 0:
        raise GitUnavailable(done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


class Repository:
    """The git repository that holds a content folder, and where the folder is in it."""

    def __init__(self, content_dir: str | os.PathLike):
        self.content = Path(content_dir).resolve()
        if not self.content.is_dir():
            raise GitUnavailable("no content folder")
        top = _git(self.content, "rev-parse", "--show-toplevel").decode("utf-8").strip()
        self.top = Path(top).resolve()
        self.prefix = self.content.relative_to(self.top).as_posix()  # e.g. "content"
        if self.prefix == ".":
            self.prefix = ""
        self.shown_root = self.content.name

    def shown(self, repo_path: str) -> str | None:
        """content/… as clerks see it, for a path inside the repository; None outside the content folder."""
        if self.prefix:
            if not repo_path.startswith(self.prefix + "/"):
                return None
            repo_path = repo_path[len(self.prefix) + 1:]
        return f"{self.shown_root}/{repo_path}"

    def git(self, *args: str, data: bytes | None = None) -> bytes:
        return _git(self.top, *args, data=data)

    def pathspec(self) -> str:
        return self.prefix or "."

    # -- the change ---------------------------------------------------------

    def worktree_scope(self) -> Scope:
        """Files changed, staged or new since the last commit (`git status`): every line counts as touched."""
        scope = Scope(self.shown_root)
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", self.pathspec())
        entries = out.split(b"\0")
        index = 0
        while index < len(entries):
            entry = entries[index].decode("utf-8", "replace")
            index += 1
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if "R" in code or "C" in code:
                index += 1  # the old name follows
            self._add(scope, path, None)
        return scope

    def diff_scope(self, *diff_args: str, what: str, other: str) -> Scope:
        """The files and lines a diff adds or changes (`git diff -U0 …`)."""
        scope = Scope(self.shown_root, what=what, other=other)
        out = self.git("-c", "core.quotepath=off", "diff", "-U0", "--no-color", "--no-ext-diff", "-M",
                       *diff_args, "--", self.pathspec()).decode("utf-8", "replace")
        current: str | None = None
        for line in out.split("\n"):
            if line.startswith("+++ "):
                target = line[4:]
                current = target[2:] if target.startswith("b/") else None
                if current is not None:
                    self._add(scope, current, set())
            elif line.startswith("@@") and current is not None:
                match = HUNK_RE.match(line)
                if match:
                    start, count = int(match.group(1)), int(match.group(2) or "1")
                    shown = self.shown(current)
                    touched = scope.lines.get(shown) if shown is not None else None
                    if touched is not None:
                        # a deletion touches the lines either side of where the text was
                        touched.update(range(start, start + count) if count else (max(start, 1), start + 1))
            elif line.startswith("rename to "):
                self._add(scope, line[len("rename to "):], set())
        return scope

    def staged_scope(self) -> Scope:
        return self.diff_scope("--cached", what="this commit changes", other="this commit does not change")

    def since_scope(self, ref: str) -> Scope:
        return self.diff_scope(f"{ref}...HEAD", what="this change touches", other="this change does not touch")

    def _add(self, scope: Scope, repo_path: str, lines: set[int] | None) -> None:
        shown = self.shown(repo_path)
        if shown is None:
            return
        scope.files.add(shown)
        if shown not in scope.lines or lines is None:
            scope.lines[shown] = lines
        # a meeting's document stands for its meeting: problems with documents are reported there
        parts = shown.split("/")
        if len(parts) >= 5 and parts[1] == "meetings":
            scope.files.add("/".join(parts[:3]) + f"/{parts[3]}.md")

    # -- the staged tree ----------------------------------------------------

    def export_index(self, into: Path) -> Path:
        """Write the content folder as it is in the index (what `git commit` would record) under `into`;
        return the exported content folder."""
        if into.exists():
            shutil.rmtree(into)
        into.mkdir(parents=True)
        names = self.git("ls-files", "-z", "--", self.pathspec())
        if names:
            self.git("checkout-index", "--force", "-z", "--stdin", f"--prefix={into.as_posix()}/", data=names)
        content = into / self.prefix if self.prefix else into
        content.mkdir(parents=True, exist_ok=True)
        return content

    def on_disk(self, shown: str) -> Path:
        """The working-folder file behind a shown path."""
        return self.content / shown[len(self.shown_root) + 1:]


def staged_folder(repository: Repository) -> Path:
    """Where the index is exported: beside the build cache (ignored by git), the same folder each
    time so that checking an unchanged meeting again is read from the cache."""
    return repository.content.parent / ".cache" / "staged"
