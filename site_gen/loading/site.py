"""site.yml: the site's title, organisation, address, language, licence and settings.
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import fields, ocd
from ..fields import Fields
from ..models import DEFAULT_LICENCE, DEFAULT_LICENCE_URL, RagRule, Site, Source
from .references import References

REPOSITORY_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~-]+)+$")
BRANCH_RE = re.compile(r"^(?!/)(?!.*(?:\.\.|//|@\{))[A-Za-z0-9._/-]+(?<![/.])$")


class SiteLoader(References):
    def load_site(self) -> Site | None:
        path = self.root / "site.yml"
        if path in self.unsafe:
            return None
        if not path.is_file():
            self.report.error(f"{self.shown_root}/site.yml", 1, "site.yml is missing",
                              "create it with `title`, `organisation`, `base_url` and `language`")
            return None
        data = self.read_yaml(path)
        if data is None:
            return None
        f = Fields(self.report, self.shown(path), data, fields.SITE)
        title = f.one_line("title", required=True, example="Council meeting minutes")
        organisation = f.one_line("organisation", required=True, example="Example Borough Council")
        base_url = f.text("base_url", required=True, example="https://minutes.example.gov.uk")
        if base_url and not re.match(r"^https?://[^\s/]+(/\S*)?$", base_url):
            self.report.error(self.shown(path), f.line("base_url"), "`base_url` must be a web address starting with https://")
            base_url = None
        licence_url = f.text("licence_url")
        if licence_url and not re.match(r"^https?://\S+$", licence_url):
            self.report.error(self.shown(path), f.line("licence_url"), "`licence_url` must start with https://")
            licence_url = None
        language = f.text("language") or "en-GB"
        if not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", language):
            self.report.error(self.shown(path), f.line("language"),
                              f"`language` must be a language tag such as en-GB, not `{language}`")
            language = "en-GB"
        rag_rule = self.load_rag_rule(path, f)
        description = f.text("description")
        repository_url = self.load_repository_url(path, f)
        branch = f.text("repository_branch") or "main"
        if not BRANCH_RE.match(branch):
            self.report.error(self.shown(path), f.line("repository_branch"),
                              f"`repository_branch` must be a branch name such as main, not `{branch}`")
            branch = "main"
        division = f.text("ocd_division_id")
        division_problem = ocd.division_problem(division) if division else None
        if division_problem:
            self.report.error(self.shown(path), f.line("ocd_division_id"), *division_problem)
            division = None
        if not (title and organisation and base_url):
            return None
        licence = f.text("licence")
        if licence is None:
            licence, licence_url = DEFAULT_LICENCE, licence_url or DEFAULT_LICENCE_URL
        elif licence_url is None and licence == DEFAULT_LICENCE:
            licence_url = DEFAULT_LICENCE_URL
        return Site(title=title, organisation=organisation, base_url=base_url.rstrip("/"), language=language,
                    description=description, licence=licence, licence_url=licence_url,
                    licence_stated=f.text("licence") is not None,
                    rag_rule=rag_rule, source=Source(self.shown(path), 1),
                    repository_url=repository_url, repository_branch=branch, short_name=f.text("short_name"),
                    ocd_division_id=division)

    def load_repository_url(self, path: Path, f: Fields) -> str | None:
        """The repository's web address on its forge (GitHub, GitLab): https://host/owner/name."""
        url = f.text("repository_url")
        if url is None:
            return None
        url = url.rstrip("/")
        page = re.search(r"/(?:-/)?(?:tree|blob|edit|commits?)/", url)
        if REPOSITORY_URL_RE.match(url) and url.count("/") >= 4 and not url.endswith(".git") and not page:
            return url
        ssh = re.match(r"^(?:ssh://)?git@([^:/]+)[:/](.+?)(?:\.git)?$", url)
        if ssh:
            hint = f"write its web address: https://{ssh.group(1)}/{ssh.group(2)}"
        elif url.startswith("http://"):
            hint = f"use https: https://{url[len('http://'):]}"
        elif url.endswith(".git"):
            hint = f"leave out `.git`: {url[:-4]}"
        elif page:
            hint = f"give the repository's own address, without the page: {url[:page.start()]}"
        else:
            hint = "write the address of the repository's page, e.g. https://github.com/example-council/minutes"
        self.report.error(self.shown(path), f.line("repository_url"),
                          "`repository_url` must be the web address of the repository, starting with https://", hint)
        return None

    def load_rag_rule(self, path: Path, f: Fields) -> RagRule | None:
        rule = f.mapping("rag_rule")
        if rule is None:
            return None
        rf = Fields(self.report, self.shown(path), rule, fields.RAG_RULE)
        tolerance = rf.number("amber_tolerance")
        tolerance_in = rf.choice("amber_tolerance_in", ("percent", "points"), default="percent")
        if tolerance is None:
            if "amber_tolerance" not in rule:
                self.report.error(self.shown(path), rule.line, "rag_rule has no `amber_tolerance`",
                                  "add e.g. `amber_tolerance: 5` (percent of the target)")
            return None
        if tolerance < 0:
            self.report.error(self.shown(path), rf.line("amber_tolerance"), "`amber_tolerance` cannot be negative")
            return None
        if tolerance_in is None:  # reported at its line
            return None
        return RagRule(amber_tolerance=tolerance, line=f.key_line("rag_rule"), tolerance_in=tolerance_in)
