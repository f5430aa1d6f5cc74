"""The clerks' editing screen at /admin/: Decap CMS, served from the site's own files.

The screen is made of the project's sources in admin/ (the page, the configuration, the
archive's file formats and preview templates) and of two npm packages installed at the
versions package-lock.json pins (`npm ci`): decap-cms (its self-contained bundle) and
js-yaml. The build copies them into the output, with their licences; nothing is loaded
from another origin.

Someone building without node has no node_modules/: the site is then built without
/admin/ and the build says so in one note, so the archive itself never depends on npm.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import urls
from .cache import digest
from .models import Site
from .pages.base import File, apply
from .yamlio import plain_load

PROJECT = Path(__file__).resolve().parent.parent
SOURCES = PROJECT / "admin"
NODE_MODULES = PROJECT / "node_modules"
# decap-server, run by `python build.py serve --cms` against the local repository
PROXY_PORT = 8081

# (package file, its name in /admin/)
BUNDLE = "decap-cms/dist"
PACKAGED = (
    ("js-yaml/dist/js-yaml.min.js", "js-yaml.min.js"),
    # decap-cms's own package has no licence file: its packages carry Decap's MIT licence
    ("decap-cms-lib-widgets/LICENSE", "licences/decap-cms.txt"),
    ("decap-cms/dist/decap-cms.js.LICENSE.txt", "licences/decap-cms-bundled-libraries.txt"),
    ("js-yaml/LICENSE", "licences/js-yaml.txt"),
)
OURS = ("index.html", "council.js", "preview.css")

MISSING_NOTE = ("note: the clerks' editing screen (/admin/) was left out: its npm packages are not installed; "
                "run `npm ci` in the repository's folder, then build again")


@dataclass(frozen=True)
class AdminFiles:
    # each file of /admin/, with what it is made from: kept from the previous build when that is the same
    files: tuple[File, ...]
    notice: str | None = None


def bundle_files(node_modules: Path) -> list[tuple[Path, str]]:
    """decap-cms.js and the chunks and WebAssembly it loads from its own folder (no source maps)."""
    folder = node_modules / BUNDLE
    names = sorted(p.name for p in folder.iterdir()
                   if p.name == "decap-cms.js" or re.fullmatch(r"\d+\.decap-cms\.js|[0-9a-f]+\.wasm", p.name))
    return [(folder / name, name) for name in names]


def admin_files(site: Site, node_modules: Path | None = None, sources: Path = SOURCES) -> AdminFiles:
    """Every file of /admin/, or none and a note when the npm packages are missing."""
    node_modules = node_modules or NODE_MODULES
    wanted = [(node_modules / package, name) for package, name in PACKAGED]
    if not (node_modules / BUNDLE / "decap-cms.js").is_file() or not all(p.is_file() for p, _ in wanted):
        return AdminFiles((), MISSING_NOTE)
    files = []
    for path, name in bundle_files(node_modules) + wanted:  # not read again while their size and time are the same
        stat = path.stat()
        files.append(File(urls.ADMIN + name, path.read_bytes, f"npm {name} {stat.st_size} {stat.st_mtime_ns}"))
    files += [File(urls.ADMIN + name, (sources / name).read_bytes) for name in OURS]
    settings = config(site, sources)  # written as YAML only when it changed (a tenth of a second)
    files.append(File(urls.ADMIN + "config.yml", lambda: config_yaml(settings).encode("utf-8"),
                      digest("admin config", settings)))
    return AdminFiles(tuple(sorted(files, key=lambda file: file.url)))


def write(writer, site: Site) -> str | None:
    """Adds /admin/ to the site being written; the note when it cannot. The npm files (6.5 MB)
    are not read again while their size and time are those of the previous build's copy."""
    screen = admin_files(site)
    for file in screen.files:
        apply(writer, file)
    return screen.notice


def config(site: Site, sources: Path = SOURCES) -> dict:
    """admin/config.yml with the repository, its branch and the site's address from site.yml."""
    data = plain_load((sources / "config.yml").read_text(encoding="utf-8"))
    backend = data["backend"]
    backend["branch"] = site.repository_branch or "main"
    if site.repository_url:
        owner_name = site.repository_url.split("://", 1)[-1].split("/", 1)[1]
        backend["repo"] = owner_name
        if urls.forge(site.repository_url) == "gitlab":
            backend["name"] = "gitlab"
            backend.pop("base_url", None)  # GitLab signs in with its own OAuth application
    data["site_url"] = site.base_url
    data["display_url"] = site.base_url
    data["local_backend"] = {"url": f"http://127.0.0.1:{PROXY_PORT}/api/v1"}
    return data


def config_yaml(settings: dict) -> str:
    return ("# Written by the build from admin/config.yml and content/site.yml: edit those.\n"
            + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True, width=1000))


def repository_branch(folder: Path) -> tuple[Path | None, str | None]:
    """The top folder of the git repository holding `folder`, and its current branch."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None
    top = git("rev-parse", "--show-toplevel")
    branch = git("symbolic-ref", "--quiet", "--short", "HEAD")
    return (Path(top) if top else None), branch


# -- `python build.py serve --cms`: the screen against the local repository -----------------

PROXY = NODE_MODULES / "decap-server" / "dist" / "index.js"


class ProxyProblem(Exception):
    """Why the local editing screen cannot start (said to the clerk, with what to do)."""


def configured_branch(content: Path) -> str:
    try:
        data = yaml.safe_load((content / "site.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        data = {}
    branch = data.get("repository_branch") if isinstance(data, dict) else None
    return str(branch) if branch else "main"


def start_proxy(content: Path, port: int = PROXY_PORT, node: str | None = None) -> subprocess.Popen:
    """decap-server in git mode on 127.0.0.1 only: the screen's saves become commits and
    branches of the repository holding `content` (no account, no network)."""
    node = node or shutil.which("node")
    if not node:
        raise ProxyProblem("the editing screen needs Node.js (node) to work on this computer's copy; install it, "
                           "then run `npm ci` in the repository's folder")
    if not PROXY.is_file():
        raise ProxyProblem("decap-server is not installed: run `npm ci` in the repository's folder")
    top, branch = repository_branch(content)
    if top is None:
        raise ProxyProblem(f"{content} is not in a git repository: the screen saves each change as a commit")
    if content.resolve() != (top / "content").resolve():
        raise ProxyProblem(f"the screen edits the folder `content/` at the top of the repository ({top}), "
                           f"not {content}")
    wanted = configured_branch(content)
    if branch != wanted:
        raise ProxyProblem(f"the repository is on branch `{branch or 'none (a detached commit)'}`, but the screen "
                           f"works on `{wanted}` (site.yml's repository_branch): run `git switch {wanted}` first")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise ProxyProblem(f"port {port} is already in use (is the editing screen already running in another "
                               f"window?): stop that one first")
    env = {**os.environ, "MODE": "git", "PORT": str(port), "BIND_HOST": "127.0.0.1",
           "GIT_REPO_DIRECTORY": str(top), "LOG_LEVEL": "warn"}
    process = subprocess.Popen([node, str(PROXY)], cwd=top, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ProxyProblem(f"decap-server stopped at once (exit status {process.returncode}); "
                               f"its message is above")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.terminate()
    raise ProxyProblem("decap-server did not start within 20 seconds")


def stop_proxy(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def preview_headers(netlify_toml: Path, port: int = PROXY_PORT) -> dict[str, str]:
    """The headers netlify.toml gives /admin/ (those of every address, and its own rule's:
    no other rule sets a policy for it), for the preview server; the policy also lets the
    screen reach decap-server on this computer."""
    try:
        import tomllib
        config = tomllib.loads(netlify_toml.read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError):
        return {}
    headers: dict[str, str] = {}
    for rule in config.get("headers", []):
        if rule.get("for") in ("/*", urls.ADMIN + "*"):
            for name, value in rule.get("values", {}).items():
                if isinstance(value, str) and name.lower() != "cache-control":
                    headers[name] = " ".join(value.split())
    policy = headers.get("Content-Security-Policy")
    if policy:
        headers["Content-Security-Policy"] = re.sub(r"(connect-src [^;]*)", rf"\1 http://127.0.0.1:{port}", policy)
    return headers


def is_admin(url_path: str) -> bool:
    return url_path == urls.ADMIN.rstrip("/") or url_path.startswith(urls.ADMIN)
