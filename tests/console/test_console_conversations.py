"""«Розмови» in the console (TestClient, a signed-in admin): conversations Rasa's own
SQLTrackerStore wrote (on SQLite or PostgreSQL, as the app database), the filters,
tags and «переглянуто», the test story candidate read back by Rasa's
YAMLStoryReader, the audit of every read, forget-me and retention."""

from __future__ import annotations

from pathlib import Path
from typing import List

from sqlalchemy import select

from core.db.models import ConversationReview
from core.privacy import forget_sender, purge_expired
from core.senders import SenderKey
from tests.support.console import audit_actions, csrf_of
from tests.support.db import in_session


def listed(client, query: str = "") -> List[str]:
    """Senders of the listed conversations, newest first."""
    page = client.get("/conversations" + query)
    assert page.status_code == 200, page.text
    return [
        row.split("<td>")[3].split("</td>")[0]
        for row in page.text.split('<tr data-conversation="')[1:]
    ]


def first_event_ids(client, query: str = "") -> List[int]:
    page = client.get("/conversations" + query).text
    return [int(part.split('"')[0]) for part in page.split('<tr data-conversation="')[1:]]


def test_a_clerk_is_refused(login, tracker):
    client = login("olena")
    assert 'href="/conversations"' not in client.get("/month").text
    assert client.get("/conversations").status_code == 403
    assert client.get("/conversations/1").status_code == 403
    page = client.get("/month")
    response = client.post("/conversations/1/story", data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 403
    assert not [a for a in audit_actions() if a[1].startswith("conversation")]


def test_filters_select_the_right_conversations(login, tracker):
    client = login("admin")
    assert 'id="nav-conversations"' in client.get("/month").text
    # The last week, newest first; the forgotten sender and the old conversation are not there.
    assert listed(client) == [
        "telegram:900004",
        "telegram:900003",
        "viber:900002",
        "telegram:900001",
    ]
    assert listed(client, "?misunderstood=1") == ["telegram:900001"]
    assert listed(client, "?cancelled=1") == ["viber:900002"]
    assert listed(client, "?handed_off=1") == ["telegram:900004"]
    assert listed(client, "?unsaved=1") == ["viber:900002"]  # 900003's reading was stored
    assert listed(client, "?channel=viber") == ["viber:900002"]
    assert listed(client, "?channel=telegram&misunderstood=1") == ["telegram:900001"]
    # One sender: every date (its conversation of ten days ago too).
    assert listed(client, "?sender=telegram:900001") == ["telegram:900001"] * 2
    assert listed(client, "?from=2026-11-09&to=2026-11-11") == ["telegram:900001"]
    # An account: its linked users and whoever gave its readings.
    assert listed(client, "?account=0100001") == ["telegram:900003"]
    assert listed(client, f"?case={tracker}") == ["telegram:900004"]
    assert f'href="/cases/{tracker}"' in client.get("/conversations?handed_off=1").text
    assert listed(client, "?sender=telegram:900006") == []  # forgotten, until the purge
    assert client.get("/conversations?from=20.11.2026").status_code == 400


def test_reading_is_audited(login, tracker):
    client = login("admin")
    listed(client, "?misunderstood=1")
    (conversation,) = first_event_ids(client, "?misunderstood=1")
    page = client.get(f"/conversations/{conversation}").text
    assert "ываыва" in page and "не зрозумів (найближче: greet)" in page
    assert "Вибачте, я не зрозумів." in page and "utter_greet" in page
    assert "Привіт" in page
    entries = [a for a in audit_actions() if a[1].startswith("conversation")]
    assert entries[0][:2] == ("admin", "conversations_read")
    assert '"ознаки": ["misunderstood"]' in entries[0][3] and '"показано": 1' in entries[0][3]
    assert ("admin", "conversation_read") == entries[-1][:2]
    assert "telegram:900001" in entries[-1][3]


def test_tags_and_reviewed(login, tracker):
    client = login("admin")
    (conversation,) = first_event_ids(client, "?cancelled=1")
    page = client.get(f"/conversations/{conversation}").text
    url = f"/conversations/{conversation}"
    assert client.post(url + "/tags", data={"tags": "x"}).status_code == 403  # no CSRF token
    token = csrf_of(page)
    done = client.post(url + "/tags", data={"tags": "Форма, скасування,форма", "csrf_token": token})
    assert done.status_code == 200 and "Мітки збережено." in done.text
    assert "форма, скасування" in done.text
    refused = client.post(url + "/tags", data={"tags": "<b>", "csrf_token": token})
    assert "лише літери" in refused.text
    marked = client.post(url + "/reviewed", data={"reviewed": "yes", "csrf_token": token})
    assert 'id="reviewed"' in marked.text and "переглянуто: admin" in marked.text
    assert listed(client, "?tag=форма") == ["viber:900002"]
    assert listed(client, "?reviewed=yes") == ["viber:900002"]
    assert "viber:900002" not in listed(client, "?reviewed=no")
    changes = [
        a[1] for a in audit_actions() if a[1] in ("conversation_tags", "conversation_reviewed")
    ]
    assert changes == ["conversation_tags", "conversation_reviewed"]


def test_a_conversation_saved_as_a_test_story_reads_back(login, tracker, training_project):
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    client = login("admin")
    (conversation,) = first_event_ids(client, "?account=0100001")
    page = client.get(f"/conversations/{conversation}").text
    saved = client.post(f"/conversations/{conversation}/story", data={"csrf_token": csrf_of(page)})
    assert "Тестову історію-кандидата записано: var/story_candidates/" in saved.text
    (path,) = (training_project / "var" / "story_candidates").glob("*.yml")
    written = path.read_text(encoding="utf-8")
    # Nothing personal: the account number, the reading and the e-mail are masked.
    assert "0100001" not in written and "1867" not in written and "olena@" not in written

    (story,) = YAMLStoryReader().read_from_file(str(path))
    users = [e for e in story.events if isinstance(e, UserUttered)]
    assert [(e.text, e.intent_name) for e in users] == [
        ("показник по рахунку 0123456, пишіть email@example.com", "submit_reading"),
        ("1234,5", "inform"),
    ]
    assert users[0].entities[0]["entity"] == "account_number"
    assert users[0].entities[0]["value"] == "0123456"
    actions = [e.action_name for e in story.events if isinstance(e, ActionExecuted)]
    assert actions == ["reading_form", "reading_form", "action_save_readings"]
    assert [e.name for e in story.events if isinstance(e, ActiveLoop)] == ["reading_form", None]
    assert ("reading_value", 1234.5) in [
        (e.key, e.value) for e in story.events if isinstance(e, SlotSet)
    ]
    assert "story-saved" in client.get(f"/conversations/{conversation}").text
    assert [a for a in audit_actions() if a[1] == "conversation_story"]


def test_forget_me_and_retention_delete_the_notes(login, tracker, training_project, now):
    client = login("admin")
    recent, old = first_event_ids(client, "?sender=telegram:900001")
    (other,) = first_event_ids(client, "?cancelled=1")
    for conversation in (recent, old, other):
        page = client.get(f"/conversations/{conversation}").text
        client.post(
            f"/conversations/{conversation}/tags",
            data={"tags": "перевірити", "csrf_token": csrf_of(page)},
        )
    client.post(f"/conversations/{recent}/story", data={"csrf_token": csrf_of(page)})
    (story,) = (training_project / "var" / "story_candidates").glob("*.yml")

    def notes():
        return in_session(
            lambda s: sorted(s.execute(select(ConversationReview.first_event_id)).scalars())
        )

    assert notes() == sorted([recent, old, other])
    purged = in_session(lambda s: purge_expired(s, now, keep_days=5))
    assert purged.reviews == 1 and notes() == sorted([recent, other])

    forgotten = in_session(
        lambda s: forget_sender(s, SenderKey("telegram", "telegram:900001"), now)
    )
    assert forgotten.reviews == 1 and notes() == [other]
    assert not Path(story).exists()
    # The conversations stay in the tracker store until the purge, but are not shown.
    assert client.get(f"/conversations/{recent}").status_code == 404
    assert "telegram:900001" not in listed(client)
