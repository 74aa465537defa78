"""Japanese sentences of the catalog use Japanese punctuation: 、 and 。, not ", " and ". ",
and 「」 for quoting, not English quotation marks."""

from __future__ import annotations

import re

from generator.locale import catalogs

_JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]"
# An ASCII comma anywhere, or an ASCII full stop ending a sentence written in Japanese.
_ENGLISH_QUOTES = re.compile(r'"[^"]*"|[“”]')
_ASCII_PUNCTUATION = re.compile(rf", |(?:{_JAPANESE}|%\(\w+\)s)\.(?:\s|$)|\.\s+{_JAPANESE}")


def _japanese_messages() -> dict[str, str]:
    return {
        str(m.id): str(m.string)
        for m in catalogs.load("ja")
        if m.id and m.string and re.search(_JAPANESE, str(m.string))
    }


def test_japanese_sentences_end_with_a_japanese_full_stop() -> None:
    wrong = {
        english: japanese
        for english, japanese in _japanese_messages().items()
        if _ASCII_PUNCTUATION.search(re.sub(r"`[^`]*`|<[^>]*>", "", japanese))
    }
    assert wrong == {}


def test_japanese_sentences_quote_with_japanese_brackets() -> None:
    wrong = {
        english: japanese
        for english, japanese in _japanese_messages().items()
        if _ENGLISH_QUOTES.search(re.sub(r"`[^`]*`|<[^>]*>", "", japanese))
    }
    assert wrong == {}


def test_the_check_finds_ascii_punctuation_in_japanese() -> None:
    assert _ASCII_PUNCTUATION.search("デプロイします. 次に確認します")
    assert _ASCII_PUNCTUATION.search("web, api を再起動します")
    assert _ASCII_PUNCTUATION.search("%(service)s を再起動します。対象は %(host)s.")
    assert not _ASCII_PUNCTUATION.search("デプロイします。次に確認します、終わり")
    assert _ENGLISH_QUOTES.search('"承認" を押します')
    assert not _ENGLISH_QUOTES.search("「承認」を押します")
