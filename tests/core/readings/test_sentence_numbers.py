"""A reading wrapped in ordinary words: the one number of the sentence is taken,
two numbers or none get a clear answer."""

from decimal import Decimal

import pytest

from core.readings.parsing import ReadingFormatError, parse_reading, sentence_numbers


@pytest.mark.parametrize(
    "typed, value",
    [
        ("на табло 122,5", "122.5"),
        ("На лічильнику зараз показує 122,5 кубів", "122.5"),
        ("в мене 122,5", "122.5"),
        ("здається, 122,5", "122.5"),
        ("десь 122.5 м3", "122.5"),
        ("я помилився, має бути 122,5", "122.5"),
        ("121 з половиною", "121.5"),
        ("сто двадцять один з половиною", "121.5"),
        ("в мене сто двадцять два", "122"),
        ("Добрий день! На лічильнику зараз 1 234,5, дякую", "1234.5"),
        ("20 листопада показник 122,5", "122.5"),
        ("122,5 кубів", "122.5"),
        ("122.5м3", "122.5"),
        ("показник 122,5", "122.5"),
    ],
)
def test_the_one_number_of_a_sentence_is_the_reading(typed, value):
    assert parse_reading(typed)[0] == Decimal(value)


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("було 120, стало 122,5", "кілька чисел: «120», «122,5»"),
        ("122,5 або 123", "кілька чисел"),
        ("в мене все добре", "не схоже на показник"),
        ("заплатив 500 грн", "не схоже на показник"),
        ("12 кг", "не схоже на показник"),
        ("сто гривень", "не схоже на показник"),
        ("показує 12.3.4", "кілька десяткових знаків"),
    ],
)
def test_two_numbers_or_none_are_asked_again(typed, reason):
    with pytest.raises(ReadingFormatError) as error:
        parse_reading(typed)
    assert reason in str(error.value)


def test_a_comma_after_a_word_is_no_decimal_mark():
    assert sentence_numbers("я помилився, має бути 122,5") == ["122,5"]
    assert sentence_numbers("було 120, стало 122,5") == ["120", "122,5"]
