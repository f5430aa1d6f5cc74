"""`python build.py init`: start a council's own, empty archive.

Writes a minimal valid content folder: `site.yml` (the council's name, the
archive's title, `base_url`, and `repository_url` when given) and one committee
to start from, and no meetings, so that no page of the council's archive shows
the sample's minutes or this repository's commits. The values come from the
options; whatever is missing is asked for when a person is at the terminal,
and is a usage error (exit 2) otherwise. It writes only into a folder that is
empty or does not exist, and only what `check` passes: the files are made in a
temporary folder, checked, and then moved into place.

Also here: the warning `check --strict` gives for a `base_url` still on a
domain reserved for examples (example.org, example.com, example.net).

Exit status: 0 written, 2 wrong usage (a folder that is not empty, a missing or
invalid value).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from .models import DEFAULT_LICENCE, DEFAULT_LICENCE_URL

PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")
FIRST_COMMITTEE = ("full-council", "Full Council")


class UsageError(Exception):
    pass


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def placeholder(base_url: str) -> str | None:
    """The reserved example domain a base_url is on, if it is one."""
    host = (urlsplit(base_url).hostname or "").lower()
    return next((d for d in PLACEHOLDER_DOMAINS if host == d or host.endswith("." + d)), None)


def warn_placeholder(content_dir, result) -> None:
    """For `check --strict`: a base_url on an example domain is a warning at its line in site.yml."""
    linked = result.linked
    if linked is None:
        return
    site = linked.archive.site
    domain = placeholder(site.base_url)
    if domain is None:
        return
    line = 1
    try:
        lines = (Path(content_dir) / "site.yml").read_text(encoding="utf-8").splitlines()
        line = next((n for n, text in enumerate(lines, start=1) if text.startswith("base_url:")), 1)
    except (OSError, UnicodeDecodeError):
        pass
    result.report.warning(site.source.path, line, f"`base_url` is a placeholder: {domain} is reserved for examples",
                          "set it to the address where the archive is published, "
                          "e.g. https://minutes.your-council.gov.uk")


def site_yml(council: str, title: str, base_url: str, repository_url: str | None) -> str:
    repository = (f"repository_url: {quoted(repository_url)}\nrepository_branch: main\n" if repository_url else
                  "# repository_url: \"https://github.com/<owner>/<name>\""
                  "   # the repository's page on GitHub or GitLab\n"
                  "# repository_branch: main\n")
    return (
        "# The archive's settings (see docs/clerks-guide.md, section 8).\n\n"
        "# The name shown in every page's header and in the browser tab.\n"
        f"title: {quoted(title)}\n\n"
        "# The council whose minutes these are.\n"
        f"organisation: {quoted(council)}\n\n"
        "# The address where the archive is published: used for feeds, calendars and canonical links.\n"
        f"base_url: {quoted(base_url)}\n\n"
        "language: en-GB\n\n"
        "# The licence under which anyone may re-use the open data (JSON, CSV, calendars, feeds). UK\n"
        "# councils normally publish under the Open Government Licence; change both lines if yours differs.\n"
        f"licence: {quoted(DEFAULT_LICENCE)}\n"
        f"licence_url: {quoted(DEFAULT_LICENCE_URL)}\n\n"
        "# Where the repository is on its forge: each change in a meeting's history links to its commit,\n"
        "# and every meeting page gets a \"Suggest a correction\" link. The branch the site is published from.\n"
        + repository)


def committee_yml(name: str) -> str:
    return ("# One committee; its file name is the short name meetings use (committee: full-council).\n"
            "# Add one file per committee, e.g. committees/planning.yml.\n"
            f"name: {quoted(name)}\n")


def ask(label: str, default: str | None = None) -> str:
    prompt = f"{label}{f' [{default}]' if default else ''}: "
    try:
        answer = input(prompt).strip()
    except EOFError:
        answer = ""
    return answer or (default or "")


def values(args) -> tuple[str, str, str, str | None]:
    """(council, title, base_url, repository_url) from the options, asking for what is missing."""
    council, title, base_url, repository_url = args.council, args.title, args.base_url, args.repository_url
    interactive = sys.stdin.isatty() and not (council and base_url)
    if interactive:
        council = council or ask("The council's name (e.g. Example Borough Council)")
        title = title or ask("The archive's title", f"{council} minutes" if council else None)
        base_url = base_url or ask("Where the archive will be published (base_url, https://…)")
        if repository_url is None:
            repository_url = ask("The repository's page on GitHub or GitLab (repository_url; Enter to skip)")
    missing = [option for option, value in (("--council", council), ("--base-url", base_url)) if not value]
    if missing:
        raise UsageError(f"give {' and '.join(missing)} (or run `python build.py init` in a terminal to be asked)")
    for option, value in (("--council", council), ("--title", title), ("--base-url", base_url),
                          ("--repository-url", repository_url)):
        if value and any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 for ch in value):
            raise UsageError(f"{option} holds a control character")
    return (council.strip(), (title or f"{council} minutes").strip(), base_url.strip(),
            (repository_url or "").strip() or None)


def run(args) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    from . import pipeline
    from .console import print_problems

    target = Path(args.content)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{args.content}/ is not empty: init starts a new archive in an empty folder "
                         f"(to replace the sample archive: `git rm -r -q {args.content}`, then init again)")
    council, title, base_url, repository_url = values(args)
    slug, name = FIRST_COMMITTEE
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".init-", dir=target.parent) as folder:
        staging = Path(folder) / target.name
        (staging / "committees").mkdir(parents=True)
        (staging / "site.yml").write_text(site_yml(council, title, base_url, repository_url), encoding="utf-8")
        (staging / "committees" / f"{slug}.yml").write_text(committee_yml(name), encoding="utf-8")
        result = pipeline.check(staging)
        if result.report.errors:
            print_problems(result.report, sys.stderr)
            raise UsageError("nothing was written: correct the values above and run init again")
        target.mkdir(exist_ok=True)
        for path in sorted(staging.rglob("*")):
            destination = target / path.relative_to(staging)
            if path.is_dir():
                destination.mkdir(exist_ok=True)
            else:
                shutil.copyfile(path, destination)
    shown = target.as_posix().rstrip("/")
    print(f"Wrote {shown}/site.yml and {shown}/committees/{slug}.yml: an archive with no meetings yet.")
    if placeholder(base_url):
        print(f"note: {base_url} is on a domain reserved for examples; set base_url in {shown}/site.yml "
              f"before publishing (`check --strict` says so until then)")
    earlier = earlier_history(target)
    if earlier:
        print(f"note: this repository's history already has {earlier} of {shown}/: its meetings would show as "
              f"withdrawn on the new site; start the archive in a new repository (see the clerks' guide)")
    print(f"Next: add a file per committee in {shown}/committees/, then "
          f"`python build.py new --committee {slug} --date YYYY-MM-DD` and `python build.py serve`.")
    return 0


def earlier_history(target: Path) -> str | None:
    """'N commits' when the repository holding `target` has commits that touched it (the sample's)."""
    from .history import GitUnavailable, _git
    try:
        count = _git(target.resolve(), "rev-list", "--count", "HEAD", "--", ".").decode().strip()
    except (GitUnavailable, OSError):
        return None
    return f"{count} commit{'' if count == '1' else 's'}" if count.isdigit() and int(count) else None
