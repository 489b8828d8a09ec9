"""Container images emulated without a container engine.

Method (tests/deploy/test_images.py):

1. The Dockerfile is parsed: its base image, the packages its `pip install`
   lines name (directly or through `-r FILE`, a file it COPYs from the
   project), the OS packages it installs, what it COPYs where, WORKDIR, ENV.
2. The image's Python distributions are the dependency closure, read from the
   shared venv's `importlib.metadata` (markers evaluated for this Python), of
   the base image's own root package (`BASE_ROOTS`) and of what pip installs.
3. A throw-away site-packages holds symlinks to exactly those distributions'
   files (their RECORDs), nothing else; a throw-away WORKDIR holds exactly what
   the Dockerfile COPYs.
4. Commands run with the venv's interpreter started with `-S` (no site-packages
   at all), that site added by `site.addsitedir` (so `.pth` files count), the
   image's PYTHONPATH and ENV, the working directory as WORKDIR, and no
   time-zone database unless the Dockerfile installs one (`PYTHONTZPATH`).

Besides, every import in every copied module (lazy ones too) must resolve to
the standard library, the copied tree or a distribution of the image.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from core.settings import PROJECT_ROOT

# What the official base images carry besides the standard library.
BASE_ROOTS: Dict[str, Tuple[str, ...]] = {
    "rasa/rasa-sdk:3.6.2": ("rasa-sdk", "pip", "setuptools", "wheel"),
    "rasa/rasa:3.6.21": ("rasa", "pip", "setuptools", "wheel"),
}
FIRST_PARTY_MARKER = "__init__.py"


@dataclass
class Dockerfile:
    """What a Dockerfile puts into its image, as far as Python is concerned."""

    path: Path
    base: str = ""
    pip_names: List[str] = field(default_factory=list)
    os_packages: List[str] = field(default_factory=list)
    copies: List[Tuple[List[str], str]] = field(default_factory=list)
    workdir: str = "/"
    env: Dict[str, str] = field(default_factory=dict)
    entrypoint: List[str] = field(default_factory=list)
    cmd: List[str] = field(default_factory=list)

    @property
    def copied_paths(self) -> Dict[str, str]:
        """Image path -> project path for every COPY source."""
        found: Dict[str, str] = {}
        for sources, destination in self.copies:
            for source in sources:
                if destination.endswith("/"):
                    target = destination + source.rstrip("/").split("/")[-1]
                    if source.endswith("/") and len(sources) == 1:
                        target = destination.rstrip("/")
                else:
                    target = destination
                found[target] = source
        return found


def _instructions(text: str) -> Iterable[Tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        yield keyword.upper(), rest.strip()


def _exec_form(rest: str) -> List[str]:
    return json.loads(rest) if rest.startswith("[") else shlex.split(rest)


def parse_dockerfile(path: Path) -> Dockerfile:
    image = Dockerfile(path)
    staged: Dict[str, str] = {}  # image path of a copied requirements file -> project path
    for keyword, rest in _instructions(path.read_text(encoding="utf-8")):
        if keyword == "FROM":
            image.base = rest.split()[0]
        elif keyword == "WORKDIR":
            image.workdir = rest
        elif keyword == "ENV":
            for token in shlex.split(rest):
                name, _, value = token.partition("=")
                image.env[name] = value
        elif keyword == "COPY":
            words = [w for w in shlex.split(rest) if not w.startswith("--")]
            sources, destination = words[:-1], words[-1]
            if destination.startswith("/tmp/"):
                for source in sources:
                    staged[destination.rstrip("/") + "/" + Path(source).name] = source
                    staged[destination] = source
            else:
                image.copies.append((sources, destination))
        elif keyword == "RUN":
            for command in re.split(r"&&|;", rest):
                words = shlex.split(command)
                if "pip" in words and "install" in words:
                    image.pip_names += _pip_names(words[words.index("install") + 1 :], staged)
                elif "apt-get" in words and "install" in words:
                    image.os_packages += [
                        w for w in words[words.index("install") + 1 :] if not w.startswith("-")
                    ]
        elif keyword == "ENTRYPOINT":
            image.entrypoint = _exec_form(rest)
        elif keyword == "CMD":
            image.cmd = _exec_form(rest)
    return image


def _pip_names(words: List[str], staged: Dict[str, str]) -> List[str]:
    names: List[str] = []
    skip_next = False
    for index, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        if word in ("-r", "--requirement"):
            names += requirement_names(PROJECT_ROOT / staged[words[index + 1]])
            skip_next = True
        elif word in ("-c", "--constraint"):
            skip_next = True
        elif not word.startswith("-"):
            names.append(word)
    return names


def requirement_names(path: Path) -> List[str]:
    """The distributions a requirements file names (its own `-r` followed)."""
    names: List[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names += requirement_names(path.parent / line[3:].strip())
        elif line and not line.startswith("-"):
            names.append(Requirement(line).name)
    return names


def closure(roots: Iterable[str]) -> Set[str]:
    """Canonical names of `roots` and everything they require on this Python."""
    seen: Set[str] = set()
    stack = [Requirement(root).name for root in roots]
    while stack:
        name = canonicalize_name(stack.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in md.distribution(name).requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            stack.append(requirement.name)
    return seen


def distributions_of(image: Dockerfile) -> Set[str]:
    return closure(BASE_ROOTS[image.base]) | closure(image.pip_names)


def _site_packages() -> Path:
    return Path(md.distribution("pip").locate_file(""))


def _top_levels() -> Dict[str, Set[str]]:
    """Top-level entry of site-packages -> the distributions whose files it holds."""
    owners: Dict[str, Set[str]] = {}
    for dist in md.distributions():
        for entry in {Path(f).parts[0] for f in dist.files or []}:
            if entry not in ("..", "__pycache__"):
                owners.setdefault(entry, set()).add(canonicalize_name(dist.metadata["Name"]))
    return owners


def module_owners() -> Dict[str, Set[str]]:
    """Importable top-level name -> distributions providing it."""
    modules: Dict[str, Set[str]] = {}
    for entry, owners in _top_levels().items():
        if entry.endswith((".dist-info", ".egg-info", ".pth", ".libs")):
            continue
        modules.setdefault(entry.split(".")[0], set()).update(owners)
    return modules


def build_site(dists: Set[str], target: Path) -> None:
    """Symlinks exactly the files of `dists` into the folder `target`."""
    site = _site_packages()
    owners = _top_levels()
    target.mkdir(parents=True)
    for dist in md.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name not in dists:
            continue
        for file in dist.files or []:
            parts = Path(file).parts
            if parts[0] in ("..", "__pycache__") or "__pycache__" in parts:
                continue
            if owners[parts[0]] == {name}:  # the whole entry is this distribution's
                link, source = target / parts[0], site / parts[0]
            else:  # a namespace shared with others: file by file
                link, source = target / file, site / file
            if link.exists() or link.is_symlink():
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(source)


def build_tree(image: Dockerfile, root: Path) -> None:
    """Exactly what the image COPYs, under `root` as the image's `/`."""
    for image_path, source in image.copied_paths.items():
        destination = root / image_path.lstrip("/")
        origin = PROJECT_ROOT / source
        if origin.is_dir():
            shutil.copytree(
                origin, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)


def _imports(path: Path) -> Iterable[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            for h in node.handlers
        ):
            guarded |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def unresolved_imports(image: Dockerfile, workdir: Path) -> Dict[str, List[str]]:
    """Imports of copied modules that nothing in the image provides: name -> files."""
    dists = distributions_of(image)
    owners = module_owners()
    local = {p.name for p in workdir.iterdir() if p.is_dir() or p.suffix == ".py"}
    local |= {p.stem for p in workdir.glob("*.py")}
    missing: Dict[str, List[str]] = {}
    for module in sorted(workdir.rglob("*.py")):
        for name in _imports(module):
            if name in sys.stdlib_module_names or name in local or name == "__future__":
                continue
            if not owners.get(name, set()) & dists:
                missing.setdefault(name, []).append(str(module.relative_to(workdir)))
    return missing


BOOTSTRAP = """
import runpy, site, sys
paths, site_dir, mode, target = sys.argv[1:5]
sys.path[:0] = [p for p in paths.split(":") if p]
site.addsitedir(site_dir)
sys.argv = [target] + sys.argv[5:]
if mode == "module":
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    exec(compile(target, "<check>", "exec"), {"__name__": "__main__"})
"""


@dataclass
class EmulatedImage:
    """An image's Python and files on this machine; `run` is `docker run` for Python."""

    image: Dockerfile
    site: Path
    root: Path  # the image's `/`

    @property
    def workdir(self) -> Path:
        return self.root / self.image.workdir.lstrip("/")

    def environment(self, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workdir), "LANG": "C.UTF-8"}
        env.update(self.image.env)
        env.pop("PYTHONPATH", None)
        # No zoneinfo from this host: the image has only what it installs.
        has_os_tzdata = "tzdata" in self.image.os_packages
        env["PYTHONTZPATH"] = "/usr/share/zoneinfo" if has_os_tzdata else ""
        env.update(extra or {})
        return env

    def python_path(self) -> str:
        paths = self.image.env.get("PYTHONPATH", "")
        return ":".join(str(self.root / p.lstrip("/")) for p in paths.split(":") if p)

    def run(
        self,
        target: str,
        *args: str,
        module: bool = True,
        env: Optional[Dict[str, str]] = None,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess:
        command = [sys.executable, "-S", "-c", BOOTSTRAP, self.python_path(), str(self.site)]
        command += ["module" if module else "code", target, *args]
        return subprocess.run(
            command,
            cwd=self.workdir,
            env=self.environment(env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def emulate(dockerfile: Path, root: Path) -> EmulatedImage:
    image = parse_dockerfile(dockerfile)
    site = root / "site-packages"
    build_site(distributions_of(image), site)
    build_tree(image, root / "image")
    return EmulatedImage(image, site, root / "image")
