"""Least privilege in PostgreSQL 15, for real on a throw-away server:
deploy/postgres/roles.sql makes the owner role the migrations run as and the
limited role of the services (rows yes, schema no); the migration job runs as
the owner; deploy/backup.sh dumps both databases and the state folders."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from core.settings import PROJECT_ROOT
from devtools.harness.postgres import PG_BIN, available, throwaway_postgres

pytestmark = pytest.mark.skipif(not available(), reason="PostgreSQL 15 not installed")
ROLES = PROJECT_ROOT / "deploy" / "postgres" / "roles.sql"


def _url(base: str, role: str, database: str) -> str:
    host = base.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+psycopg2://{role}:pw-{role}@{host}/{database}"


@pytest.fixture(scope="module")
def server():
    with throwaway_postgres() as url:
        libpq = url.replace("+psycopg2", "")
        subprocess.run(
            [str(PG_BIN / "psql"), "-q", "-d", libpq, "-f", str(ROLES)]
            + ["-v", "owner_password=pw-teplo_owner", "-v", "app_password=pw-teplo_app"]
            + ["-v", "tracker_password=pw-teplo_tracker"],
            check=True,
            capture_output=True,
        )
        env = {
            **os.environ,
            "DATABASE_URL": _url(url, "teplo_app", "teplo"),
            "DATABASE_OWNER_URL": _url(url, "teplo_owner", "teplo"),
            "ASSISTANT_MODE": "",
        }
        migrate = subprocess.run(
            [sys.executable, "-m", "core.db.migrate"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert migrate.returncode == 0, migrate.stderr
        yield url


def test_the_services_role_reads_and_writes_rows(server):
    engine = create_engine(_url(server, "teplo_app", "teplo"))
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO settings (key, value) VALUES ('probe', 'x')"))
        connection.execute(text("UPDATE settings SET value = 'y' WHERE key = 'probe'"))
        assert (
            connection.execute(text("SELECT value FROM settings WHERE key='probe'")).scalar() == "y"
        )
        connection.execute(text("DELETE FROM settings WHERE key = 'probe'"))
    engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id int)",
        "DROP TABLE readings",
        "ALTER TABLE accounts ADD COLUMN x int",
        "TRUNCATE accounts",
    ],
)
def test_the_services_role_cannot_change_the_schema(server, statement):
    engine = create_engine(_url(server, "teplo_app", "teplo"))
    with pytest.raises(ProgrammingError):
        with engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()


def test_the_conversation_role_owns_only_its_database(server):
    tracker = create_engine(_url(server, "teplo_tracker", "rasa_tracker"))
    with tracker.begin() as connection:  # Rasa creates its `events` table itself
        connection.execute(text("CREATE TABLE events_probe (id int)"))
    tracker.dispose()
    outsider = create_engine(_url(server, "teplo_app", "rasa_tracker"))
    with pytest.raises(Exception, match="permission denied"):
        outsider.connect()
    outsider.dispose()


def test_the_backup_dumps_both_databases_and_the_state(server, tmp_path):
    attachments = tmp_path / "attachments"
    attachments.mkdir()
    (attachments / "photo.jpg").write_bytes(b"jpeg")
    host = server.split("@", 1)[1].rsplit("/", 1)[0]
    env = {
        "PATH": f"{PG_BIN}:/usr/bin:/bin",
        "DATABASE_OWNER_URL": _url(server, "teplo_owner", "teplo"),
        "TRACKER_DB_USER": "teplo_tracker",
        "TRACKER_DB_PASSWORD": "pw-teplo_tracker",
        "TRACKER_DB_HOST": host,
        "TRACKER_DB_NAME": "rasa_tracker",
        "ATTACHMENTS_DIR": str(attachments),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    result = subprocess.run(
        [str(PROJECT_ROOT / "deploy" / "backup.sh")], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    for dump in ("teplo.dump", "rasa_tracker.dump"):
        listing = subprocess.run(
            [str(PG_BIN / "pg_restore"), "--list", str(folder / dump)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "TABLE" in listing, dump
    with tarfile.open(folder / "attachments.tar.gz") as archive:
        assert "./photo.jpg" in archive.getnames()
