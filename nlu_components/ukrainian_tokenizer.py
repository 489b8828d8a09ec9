"""A whitespace tokenizer that gives every token a dictionary lemma.

Ukrainian and Russian inflect heavily ("показники", "показників", "показания"),
and people also type in Latin transliteration ("pokaznyky"). Lemmas from
pymorphy3's offline OpenCorpora/VESUM dictionaries let the word-level
featurizer see one feature where the surface forms are many; the character
n-gram featurizer keeps the raw text for typos.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

NUMBER_LEMMA = "__число__"

# Latin transliteration back to Cyrillic; longer clusters first.
_LATIN_CLUSTERS = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "є"),
    ("yi", "ї"),
    ("iu", "ю"),
    ("ia", "я"),
    ("ie", "є"),
)
_LATIN_LETTERS = dict(zip("abvhgdezyiklmnoprstufcjwxq", "абвггдезиіклмнопрстуфцйвхк", strict=True))
_LATIN_WORD = re.compile(r"^[a-z']+$")
_DIGIT = re.compile(r"\d")


def latin_to_cyrillic(word: str) -> str:
    """ "pokaznyky" -> "показники": approximate, enough to find the lemma."""
    result, index = [], 0
    while index < len(word):
        for cluster, letter in _LATIN_CLUSTERS:
            if word.startswith(cluster, index):
                result.append(letter)
                index += len(cluster)
                break
        else:
            result.append(_LATIN_LETTERS.get(word[index], ""))
            index += 1
    return "".join(result)


@lru_cache(maxsize=1)
def _analyzers():
    import pymorphy3  # loaded on first use: the dictionaries take a moment

    return pymorphy3.MorphAnalyzer(lang="uk"), pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=100_000)
def lemma_of(word: str) -> str:
    """The dictionary form of a Ukrainian or Russian word (lowercase)."""
    word = word.lower().replace("’", "'").replace("ʼ", "'")
    if _DIGIT.search(word):
        return NUMBER_LEMMA
    if _LATIN_WORD.match(word):
        word = latin_to_cyrillic(word) or word
    ukrainian, russian = _analyzers()
    for analyzer in (ukrainian, russian):
        if analyzer.word_is_known(word):
            return analyzer.parse(word)[0].normal_form
    return word


def number_shape(text: str) -> str:
    """ "1234,5" -> "0000,0"; words stay as they are."""
    return _DIGIT.sub("0", text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class UkrainianLemmaTokenizer(WhitespaceTokenizer):
    """`WhitespaceTokenizer` plus pymorphy3 lemmas for Ukrainian and Russian."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return WhitespaceTokenizer.get_default_config()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UkrainianLemmaTokenizer":
        return cls(config)

    @staticmethod
    def required_packages() -> List[Text]:
        return ["pymorphy3"]

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            token.lemma = lemma_of(token.text)
            # Which digits a number has must not decide the intent («замість 345
            # написав 435»): the character n-grams see every digit as 0, so a
            # number tells only its shape (length, decimal mark).
            token.text = number_shape(token.text)
        return tokens

    @staticmethod
    def not_supported_languages() -> Optional[List[Text]]:
        return None
