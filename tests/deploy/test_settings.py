"""One configuration: core/settings.py is the only reader of the environment,
every variable is catalogued (core/configuration.py) and documented
(docs/configuration.md is generated from the catalogue), every process reads
the env file TEPLO_ENV_FILE names and checks its own section in production."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.configuration import BY_NAME, RETIRED, markdown
from core.settings import PROJECT_ROOT
from core.version import __version__
from tests.core.test_one_clock import PRODUCT_PACKAGES

CODE_DIRS = PRODUCT_PACKAGES + ("scripts",)
ENV_READ = re.compile(r"os\.environ|os\.getenv|from os import|\bgetenv\(")
# actions/server.py: its token handling belongs to the action-server hardening work;
# scripts/cluster.py: the test harness starts processes with their environments.
NOT_YET = {"actions/server.py", "scripts/cluster.py"}
READ_CALL = re.compile(
    r"""(?:env_str|env_int|env_float|_env_int|_env_decimal|env\.get)\(\s*["'](\w+)["']"""
)


def _python(code: str, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for folder in CODE_DIRS:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            relative = str(path.relative_to(PROJECT_ROOT))
            if relative in NOT_YET | {"core/settings.py"}:
                continue
            if ENV_READ.search(path.read_text(encoding="utf-8")):
                readers.append(relative)
    assert readers == []


def test_every_variable_read_is_catalogued():
    read = set()
    for folder in CODE_DIRS:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            read |= set(READ_CALL.findall(path.read_text(encoding="utf-8")))
    read -= {"PYTHONPATH", "TF_CPP_MIN_LOG_LEVEL"}  # handed on to child processes
    assert read - set(BY_NAME) == set()


def test_the_configuration_table_is_generated_from_the_catalogue():
    documented = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert documented == markdown(), "run: python -m core.configuration > docs/configuration.md"


def test_the_env_file_is_read_and_the_real_environment_wins(tmp_path):
    env_file = tmp_path / "teplo.env"
    env_file.write_text(
        "# comment\nDATABASE_URL=postgresql+psycopg2://a@h/db\nRETENTION_DAYS='90'\n"
        "LOG_FORMAT=json\n"
    )
    code = (
        "from core.settings import get_settings as g; s = g()\n"
        "print(s.database_url, s.retention_days, s.logging.format)"
    )
    result = _python(code, {"TEPLO_ENV_FILE": str(env_file), "RETENTION_DAYS": "30"}, tmp_path)
    assert result.stdout.split() == ["postgresql+psycopg2://a@h/db", "30", "json"], result.stderr


def test_a_named_env_file_that_is_missing_is_an_error_not_the_demo(tmp_path):
    result = _python(
        "from core.settings import get_settings; get_settings()",
        {"TEPLO_ENV_FILE": str(tmp_path / "typo.env")},
        tmp_path,
    )
    assert result.returncode != 0 and "typo.env" in result.stderr


def test_teplo_in_production_refuses_the_demo_sqlite(tmp_path):
    code = "import sys; from staff.cli import main; sys.exit(main(['settings', 'show']))"
    result = _python(code, {"ASSISTANT_MODE": "production"}, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL не задано" in result.stderr


def test_each_process_checks_its_own_section(tmp_path):
    ready = {
        "ASSISTANT_MODE": "production",
        "DATABASE_URL": "postgresql+psycopg2://teplo_app:pw@127.0.0.1:1/teplo",
        "TELEGRAM_BOT_TOKEN": "7012345678:" + "A" * 35,
    }
    code = "import sys; from core.preflight import main; sys.exit(main(['--process', 'outbox']))"
    assert _python(code, ready, tmp_path).returncode == 0
    sqlite = _python(code, {**ready, "DATABASE_URL": "sqlite:///x.db"}, tmp_path)
    assert sqlite.returncode == 1 and "SQLite" in sqlite.stderr
    # The console needs its secret, the outbox sender does not.
    console = _python(code.replace("outbox", "console"), ready, tmp_path)
    assert console.returncode == 1 and "CONSOLE_SECRET_KEY" in console.stderr


def test_the_outbox_sender_reads_the_same_avatar_variable_as_the_connector(monkeypatch):
    from channels.outbox_sender import transports_from_env

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("VIBER_AUTH_TOKEN", "4a1b" * 12)
    monkeypatch.setenv("VIBER_AVATAR_URL", "https://bot.example.ua/avatar.png")
    (viber,) = transports_from_env()
    assert viber.sender["avatar"] == "https://bot.example.ua/avatar.png"


def test_json_logs_when_asked(tmp_path):
    code = (
        "import logging; from core import preflight; preflight.start('outbox')\n"
        "logging.getLogger('channels.outbox_sender').info('outbox: %d sent', 3)"
    )
    result = _python(code, {"LOG_FORMAT": "json"}, tmp_path)
    entry = json.loads(result.stderr.strip().splitlines()[-1])
    assert entry["message"] == "outbox: 3 sent" and entry["process"] == "outbox"
    assert entry["level"] == "INFO" and entry["ts"].endswith("+00:00")
    text = _python(code, {}, tmp_path).stderr.strip().splitlines()[-1]
    assert text.endswith("INFO outbox channels.outbox_sender outbox: 3 sent")


def test_the_version_is_one_everywhere():
    result = subprocess.run(
        [sys.executable, "-m", "staff", "--version"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == f"teplo {__version__}"
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(__version__)} ", changelog, re.M)
    assert (
        f"TEPLO_VERSION={__version__}"
        in (PROJECT_ROOT / "deploy" / "teplo.env.example").read_text()
    )


@pytest.mark.parametrize("name", ["VIBER_AVATAR", *RETIRED])
def test_retired_names_are_read_nowhere(name):
    for folder in CODE_DIRS:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            if path == PROJECT_ROOT / "core" / "configuration.py":
                continue  # the catalogue of retired names
            assert f'"{name}"' not in path.read_text(encoding="utf-8"), path


def test_a_limit_under_its_retired_name_is_not_ignored_in_silence(tmp_path):
    old = {"ACCOUNT_WRONG_PROOFS_PER_DAY": "10"}
    code = "from core.preflight import start; start('teplo', configure_logs=False)"
    warned = _python(code, old, tmp_path)
    assert warned.returncode == 0
    assert "ACCOUNT_WRONG_PROOFS_PER_DAY більше не читається" in warned.stderr
    assert "ACCOUNT_WRONG_PROOFS_LOCK" in warned.stderr
    production = {
        **old,
        "ASSISTANT_MODE": "production",
        "DATABASE_URL": "postgresql+psycopg2://teplo_app:pw@127.0.0.1:1/teplo",
    }
    refused = _python(code, production, tmp_path)
    assert refused.returncode == 1
    assert "перейменуйте на ACCOUNT_WRONG_PROOFS_LOCK" in refused.stderr
