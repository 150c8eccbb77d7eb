"""Interface strings of the guide from gettext catalogs (managed with Babel), and language names.

Catalogs are the `.po` files under `generator/locales/`; they are read directly, so there is no
compile step to forget. English is the source language: its strings are the message ids.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from babel import Locale
from babel.core import get_global
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.units import format_unit
from markupsafe import Markup, escape

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


@cache
def _catalog(language: str, domain: str = DOMAIN) -> Catalog | None:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


class Translator:
    """`gettext` for one language: an untranslated string falls back to English."""

    def __init__(self, language: str, domain: str = DOMAIN) -> None:
        self.language = language
        self._catalog = _catalog(language, domain)

    def __call__(self, message: str, **values: object) -> str:
        """The translation with `values` filled in. When a value is HTML (Markup), the result is HTML
        too: the translation escaped, the other values escaped, that value kept as it is."""
        entry = self._catalog.get(message) if self._catalog else None
        text = entry.string if entry is not None and entry.string and not entry.fuzzy else message
        if any(isinstance(value, Markup) for value in values.values()):
            return escape(text).format(**values)
        return text.format(**values)


def _(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


@cache  # asked for on every page and address of a province
def babel_locale(language: str) -> Locale:
    """Chinese in this guide is Simplified (zh-Hans); other codes map directly."""
    return Locale.parse({"zh": "zh_Hans"}.get(language, language))


def og_locale(language: str) -> str:
    """Open Graph wants language_TERRITORY (vi_VN, zh_CN): the most likely territory, from CLDR."""
    likely = get_global("likely_subtags").get(language, language)
    parts = likely.split("_")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else language


@cache
def language_name(language: str) -> str:
    """The language's own name for itself, as a language switcher shows it (Tiếng Việt, 中文)."""
    name = babel_locale(language).get_language_name(babel_locale(language)) or language
    return name[:1].upper() + name[1:]


@cache
def language_name_in(language: str, reader: str) -> str:
    """A language's name in the reader's language (越南语 for Vietnamese on a Chinese page), for sentences."""
    return babel_locale(language).get_language_name(babel_locale(reader)) or language


def without_marks(text: str) -> str:
    """Vietnamese as typed without tones (Quảng Yên → Quang Yen, đ → d); other scripts kept as they are."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def html_lang(language: str) -> str:
    """BCP 47 tag for `<html lang>` and hreflang."""
    return {"zh": "zh-Hans"}.get(language, language)


def format_duration(seconds: float, language: str) -> str:
    """'18 giây', '18秒', '18 sec'; '3 phút, 5 giây' when longer: the locale's own words for a length of
    time (CLDR's short units), never a 'm:ss' that reads as minutes in some languages and seconds in others."""
    locale = babel_locale(language)
    minutes, rest = divmod(max(1, round(seconds)), 60)
    parts = [format_unit(value, unit, length="short", locale=locale)
             for value, unit in ((minutes, "duration-minute"), (rest, "duration-second")) if value]
    return format_list(parts, style="unit-short", locale=locale)
