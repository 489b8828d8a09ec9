"""The inbox on a tracker store filled by real conversations through the REST
channel, and a model swap in the running server that keeps the conversations."""

from __future__ import annotations

import csv
import io
import json
import shutil
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from core.db import engine as db_engine
from core.db.models import Base
from core.demo.seed import seed_demo
from devtools.harness.stack import MODEL, ROOT, running_stack
from retrain.inbox import DEFAULT_THRESHOLD, HEADER
from retrain.text import normalize
from retrain.trackerdb import load_defaults
from staff.cli import main as teplo
from tests.support.accounts import proof_digits_of
from tests.support.clock import TEST_NOW, pinned_now

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MODEL.exists(), reason="train the model first (make train)"),
]

TOKEN = "retrain-test-token"
# Spellings of one wording, each from another consumer: case, punctuation and
# spaces differ. Whether the model understands them is asked, not assumed.
WORDINGS = [
    ["а шо там", "А шо там?", "А  ШО там!!!"],
    ["ываыва ыва", "Ываыва, ыва"],
    ["qwerty zxcvb"],
    ["ммм"],
    ["перерахунок за неякісне опалення"],
    ["хм ну"],
    ["Привіт"],
    ["хочу передати показники", "Хочу передати показники!"],
]


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The real servers, conversations kept in the SQL tracker store of endpoints.yml."""
    workdir = tmp_path_factory.mktemp("retrain-stack")
    url = f"sqlite:///{workdir / 'assistant.db'}"
    engine = db_engine.make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine, future=True) as session, session.begin():
        seed_demo(session, pinned_now())
    engine.dispose()
    endpoints = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    tracker_env = {**load_defaults(), "TRACKER_DB_NAME": str(workdir / "tracker.db")}
    with running_stack(
        workdir,
        env={"DATABASE_URL": url, "ASSISTANT_NOW": TEST_NOW, **tracker_env},
        endpoints_extra=endpoints[endpoints.index("tracker_store:") :],
        rasa_args=["--enable-api", "--auth-token", TOKEN],
    ) as running:
        running.tracker_env = tracker_env
        # The inbox masks the subscribers' names: it reads the same database.
        running.tracker_env["DATABASE_URL"] = url
        running.engine = db_engine.make_engine(url)
        yield running
        running.engine.dispose()


def api(stack, method: str, path: str, body=None):
    request = urllib.request.Request(
        f"{stack.rasa_url}{path}?token={TOKEN}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")


def misunderstood(stack, text: str) -> bool:
    parsed = api(stack, "POST", "/model/parse", {"text": text})["intent"]
    return parsed["name"] == "nlu_fallback" or parsed["confidence"] < DEFAULT_THRESHOLD


def read_review(path: Path):
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()), "Excel needs the BOM to see UTF-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    return rows[0], rows[1:]


@pytest.fixture
def tracker_env(stack, monkeypatch):
    for name, value in stack.tracker_env.items():
        monkeypatch.setenv(name, value)


def test_inbox_lists_the_misunderstood_messages_grouped(stack, tracker_env, tmp_path, capsys):
    expected = {}
    for number, wording in enumerate(WORDINGS):
        for spelling_number, spelling in enumerate(wording):
            stack.say(f"inbox-{number}-{spelling_number}", spelling)
            if misunderstood(stack, spelling):
                key = normalize(spelling)
                expected[key] = expected.get(key, 0) + 1
    stack.say("inbox-buttons", "/greet")
    assert max(expected.values()) >= 2, "no misunderstood wording typed twice: pick other phrases"
    assert normalize("Привіт") not in expected  # understood: stays out

    out = tmp_path / "review.csv"
    database = ["--database-url", stack.tracker_env["DATABASE_URL"]]
    # Rasa stamps the events with the machine's clock, not the pinned one: the
    # period spans every date the suite may run on (the default period
    # is tested in test_inbox_postgres.py, with events stamped at the pin).
    every_day = ["--from", "01.01.2000", "--to", "31.12.2999"]
    assert teplo([*database, "retrain", "inbox", *every_day, "--out", str(out)]) == 0
    header, rows = read_review(out)
    assert header == HEADER
    found = {normalize(row[0]): int(row[1]) for row in rows}
    assert found == expected
    assert [int(row[1]) for row in rows] == sorted((int(row[1]) for row in rows), reverse=True)
    assert all(row[-1] == "" for row in rows)  # the column staff fill in
    for row in rows:
        assert 0 <= float(row[4].replace(",", ".")) <= 1
    assert f"{len(rows)} різних фраз" in capsys.readouterr().out

    assert (
        teplo(
            [*database, "retrain", "inbox", "--from", "01.01.2020", "--to", "2020-01-31"]
            + ["--out", str(out)]
        )
        == 0
    )
    assert read_review(out)[1] == []  # nothing from another period


def test_promoted_model_is_loaded_without_losing_the_conversation(
    stack, tmp_path, monkeypatch, capsys
):
    sender = "reload-mid-form"
    assert "номер особового рахунку" in texts(stack.say(sender, "додати особовий рахунок"))

    promoted = tmp_path / "promoted.tar.gz"
    shutil.copy(MODEL, promoted)
    reload = ["retrain", "reload", "--url", stack.rasa_url, "--model", str(promoted)]
    monkeypatch.setenv("RASA_API_TOKEN", "wrong")
    assert teplo(reload) == 1
    assert "RASA_API_TOKEN" in capsys.readouterr().err
    assert api(stack, "GET", "/status")["model_file"] == MODEL.name
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)
    assert teplo(reload) == 0
    assert api(stack, "GET", "/status")["model_file"] == promoted.name

    # The account form asked for the number before the swap; it still waits for it.
    assert "останні 6 цифр" in texts(stack.say(sender, "0100004"))
    assert "Це ваша адреса?" in texts(stack.say(sender, proof_digits_of(stack.engine, "0100004")))
