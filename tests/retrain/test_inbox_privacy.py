"""Nothing personal reaches the review file: digits of every script, e-mails,
phone numbers, and the owners' and streets' names of the subscriber database."""

from __future__ import annotations

from core.repository import accounts as accounts_repo
from retrain.text import clean_phrase
from tests.support.db import in_session


def test_digits_of_every_script_and_invisible_characters_are_masked():
    assert clean_phrase("рахунок ０４７３３８５") == "рахунок 0123456"
    assert clean_phrase("показник ١٢٣٤") == "показник 1234"
    assert clean_phrase("рахунок 04\u200b73385") == "рахунок 0123456"


def test_emails_and_phone_numbers_are_replaced():
    masked = clean_phrase("пишіть на ivan.petrenko@ukr.net або +380 50 777 66 55")
    assert "ivan" not in masked and "777" not in masked
    assert "email@example.com" in masked
    assert "(050) 777-66-55" not in clean_phrase("мій номер (050) 777-66-55")


def test_owner_and_street_names_from_the_database_are_masked(seeded):
    words = in_session(accounts_repo.personal_words)
    account = in_session(lambda s: accounts_repo.find_account(s, "0100004"))
    surname = account.owner_name.split()[0]
    street = account.street.split()[-1]
    masked = clean_phrase(f"я {surname}, живу на {street}, не можу передати", words)
    assert surname not in masked and street not in masked
    assert "не можу передати" in masked
    assert "вул" not in words
