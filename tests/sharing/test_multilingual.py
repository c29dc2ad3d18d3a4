from __future__ import annotations

import pytest

from documents.errors import BadLanguage, DocumentError
from documents.multilingual import Multilingual, check_language


def test_primary_language_comes_first_whatever_the_input_order() -> None:
    texts = Multilingual({"es": "Hola", "en": "Hello", "fr": "Salut"}, "en")
    assert texts.languages == ("en", "es", "fr")
    assert texts.fields("content") == {
        "content": "Hello",
        "contentMap": {"en": "Hello", "es": "Hola", "fr": "Salut"},
    }
    assert next(iter(texts.fields("content")["contentMap"])) == "en"


def test_single_language() -> None:
    texts = Multilingual.single("pt-BR", "Olá")
    assert (texts.language, texts.text) == ("pt-BR", "Olá")
    assert texts.fields("name") == {"name": "Olá", "nameMap": {"pt-BR": "Olá"}}


def test_map_keeps_languages_and_order() -> None:
    texts = Multilingual({"de": "hallo", "en": "hello"}, "de").map(lambda lang, t: f"{lang}:{t}")
    assert texts.as_dict() == {"de": "de:hallo", "en": "en:hello"}
    assert texts == Multilingual({"en": "en:hello", "de": "de:hallo"}, "de")
    assert texts != Multilingual({"en": "en:hello", "de": "de:hallo"}, "en")


@pytest.mark.parametrize("tag", ["", "english", "e", "en_US", "en-", "12"])
def test_bad_language_tags_are_refused(tag: str) -> None:
    with pytest.raises(BadLanguage, match="not a language tag"):
        check_language(tag)


def test_primary_language_must_have_a_text() -> None:
    with pytest.raises(BadLanguage, match="no text in the primary language 'es'"):
        Multilingual({"en": "Hello"}, "es")


def test_errors_are_value_errors_with_messages() -> None:
    with pytest.raises(ValueError) as caught:
        Multilingual({"en": "x", "x y": "z"}, "en")
    assert isinstance(caught.value, DocumentError)
    assert "'x y' is not a language tag" in str(caught.value)
