"""Each container image, emulated (tests/deploy/images.py says how): exactly the
packages its Dockerfile installs over its base image, exactly the files it
COPYs, no host time-zone data; then its entry points start."""

from __future__ import annotations

import fnmatch
from typing import Dict

import pytest
import yaml
from packaging.utils import canonicalize_name

from core.settings import PROJECT_ROOT
from tests.deploy.images import (
    EmulatedImage,
    build_tree,
    emulate,
    parse_dockerfile,
    requirement_names,
    unresolved_imports,
)

DEPLOY = PROJECT_ROOT / "deploy"
ACTIONS = DEPLOY / "Dockerfile.actions"
RASA = DEPLOY / "Dockerfile.rasa"


@pytest.fixture(scope="module")
def actions_image(tmp_path_factory) -> EmulatedImage:
    return emulate(ACTIONS, tmp_path_factory.mktemp("actions"))


@pytest.fixture(scope="module")
def rasa_image(tmp_path_factory) -> EmulatedImage:
    return emulate(RASA, tmp_path_factory.mktemp("rasa"))


def _ok(result) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", [ACTIONS, RASA], ids=["actions", "rasa"])
def test_every_import_of_the_copied_code_is_installed(dockerfile, tmp_path):
    image = parse_dockerfile(dockerfile)
    build_tree(image, tmp_path)
    assert unresolved_imports(image, tmp_path / image.workdir.lstrip("/")) == {}


def test_the_packages_the_action_image_names_are_pinned_in_requirements():
    pinned = {canonicalize_name(n) for n in requirement_names(PROJECT_ROOT / "requirements.txt")}
    named = {canonicalize_name(n) for n in parse_dockerfile(ACTIONS).pip_names}
    assert named and named <= pinned
    assert "-c /tmp/requirements.txt" in ACTIONS.read_text()


def test_the_action_image_starts_its_processes(actions_image, tmp_path):
    # Every action module loads (rasa-sdk imports the whole package), with
    # domain.yml's menu and Europe/Kyiv from the image's own time-zone data.
    code = (
        "from actions.server import build_app; build_app('x' * 32)\n"
        "from core.texts.menu import menu_buttons; assert menu_buttons()\n"
        "from core.settings import KYIV, get_settings; print(get_settings().now().astimezone(KYIV).tzname())\n"
    )
    assert "EET" in _ok(actions_image.run(code, module=False))  # EET or EEST
    assert "--port" in _ok(actions_image.run("actions.server", "--help"))
    _ok(actions_image.run("billing_api", "--help"))
    # The migration job, for real, on a throw-away database.
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'migrate.db'}"}
    assert "schema at revision" in _ok(actions_image.run("core.db.migrate", env=env))


def _dotted(names) -> list:
    return sorted({n for n in names if n and "." in n})


def test_the_rasa_image_loads_our_components_and_channels(rasa_image):
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.prod.yml").read_text())
    classes = _dotted([c["name"] for c in config["pipeline"] + config["policies"]])
    classes += _dotted(credentials)
    assert classes, "our components and connectors"
    code = "import importlib\n" + "".join(
        f"getattr(importlib.import_module({c.rsplit('.', 1)[0]!r}), {c.rsplit('.', 1)[1]!r})\n"
        for c in classes
    )
    code += "from core.texts.menu import menu_buttons; assert menu_buttons()\n"
    _ok(rasa_image.run(code, module=False))


def test_the_rasa_image_runs_the_staff_tools_sender_and_console(rasa_image):
    assert "teplo" in _ok(rasa_image.run("staff", "--help"))
    _ok(rasa_image.run("import channels.outbox_sender, console.app", module=False))
    entrypoint = rasa_image.root / rasa_image.image.entrypoint[0].lstrip("/")
    assert entrypoint.is_file() and entrypoint.stat().st_mode & 0o111


def _ignored(patterns, path: str) -> bool:
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").replace("**/", "")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/"):
            verdict = not negate
    return verdict


def test_the_build_context_has_no_venv_models_or_secrets():
    ignore = PROJECT_ROOT / ".dockerignore"
    assert ignore.is_file()
    patterns = [
        line.strip()
        for line in ignore.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in (".venv", "models/current.tar.gz", "var/assistant.db", ".git", "deploy/.env"):
        assert _ignored(patterns, path), path
    copied: Dict[str, str] = {}
    for dockerfile in (ACTIONS, RASA):
        copied.update(parse_dockerfile(dockerfile).copied_paths)
    for source in copied.values():
        assert not _ignored(patterns, source.rstrip("/")), f"{source} is copied but ignored"
        assert (PROJECT_ROOT / source).exists(), source
