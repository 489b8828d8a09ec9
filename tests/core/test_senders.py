"""The sender ids Rasa keys conversations by: the channel and the messenger's own id.

The format is stored (tracker store, outbox, account links), so it is pinned here.
"""

from core.senders import qualify, unqualify


def test_a_sender_id_carries_its_channel():
    assert qualify("telegram", 123) == "telegram:123"
    assert qualify("viber", "a1B2==") == "viber:a1B2=="


def test_the_messenger_id_comes_back_only_for_its_own_channel():
    assert unqualify("telegram", "telegram:123") == "123"
    assert unqualify("viber", "viber:ab:cd") == "ab:cd"  # Viber ids may hold anything
    assert unqualify("viber", "telegram:123") is None
    assert unqualify("telegram", "telegram123") is None
    assert unqualify("web", qualify("web", "session-1")) == "session-1"
