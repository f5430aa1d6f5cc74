"""The pages the history of the record leaves behind are valid HTML: the tombstone of withdrawn
minutes (the site's layout) and the small page at moved minutes' old address."""
from __future__ import annotations

import json
import subprocess

from bs4 import BeautifulSoup
from test_history_paths import M2_URL, M3_OLD_URL, repo, site  # noqa: F401 - the repository and its site

from .browser_helpers import VNU_JAR, java, require
from .test_html import structure_problems


def test_tombstone_and_moved_pages_are_valid_html(site):  # noqa: F811
    jar = require(VNU_JAR, "run `npm ci` at the repository root (scripts/test.sh does)")
    files = [site / url.strip("/") / "index.html" for url in (M2_URL, M3_OLD_URL)]
    result = subprocess.run([java(), "-jar", str(jar), "--format", "json", "--errors-only", "--stdout",
                             "--exit-zero-always", *map(str, files)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    errors = [m for m in json.loads(result.stdout)["messages"] if m.get("type") in ("error", "non-document-error")]
    assert not errors, errors
    tombstone = BeautifulSoup(files[0].read_text(encoding="utf-8"), "html5lib")
    assert structure_problems(tombstone) == []
