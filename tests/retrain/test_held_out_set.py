"""The held-out phrases (tests/nlu/test_nlu.yml) stay out of the training data.

A phrase in both sets would be judged on what the model memorised, and the gate
(results/baseline.json) would measure nothing; `teplo retrain merge` refuses
them, and this keeps hand edits of data/nlu/ from slipping one in.
"""

from __future__ import annotations

from retrain import nludata
from retrain.common import ROOT
from retrain.text import normalize

TEST_SET = ROOT / "tests" / "nlu" / "test_nlu.yml"


def _phrases(blocks) -> dict:
    """Normalised phrase -> its intents (phrases of symbols only normalise to nothing)."""
    found: dict = {}
    for block in blocks:
        for example in block.examples:
            if normalize(example):
                found.setdefault(normalize(example), set()).add(block.intent)
    return found


def test_no_held_out_phrase_is_trained_on():
    training = _phrases(nludata.scan(ROOT / "data" / "nlu"))
    held_out = _phrases(nludata.scan_file(TEST_SET))
    assert sorted(set(training) & set(held_out)) == []


def test_every_held_out_phrase_has_one_known_intent():
    intents = set(nludata.domain_intents(ROOT / "domain.yml"))
    held_out = _phrases(nludata.scan_file(TEST_SET))
    assert {p: i for p, i in held_out.items() if len(i) > 1} == {}
    assert set().union(*held_out.values()) <= intents
