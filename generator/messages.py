"""Messages for volunteers, in their language (Vietnamese or English), from the `cli` gettext catalog.

The language is chosen once per run (`--lang`, else the system locale) and read wherever a message is
made, including inside validation, so every error and every line of command output is translated.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from contextvars import ContextVar

from .i18n import Translator

VOLUNTEER_LANGUAGES = ("vi", "en")
DOMAIN = "cli"
_language: ContextVar[str] = ContextVar("volunteer_language", default="en")


def system_language() -> str:
    """Vietnamese when the system locale is Vietnamese, else English (gettext's variable order)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def use_language(language: str) -> None:
    _language.set(language if language in VOLUNTEER_LANGUAGES else "en")


def current_language() -> str:
    return _language.get()


def say(message: str, **values: object) -> str:
    """`message` in the volunteer's language, with `{name}` placeholders filled in."""
    return Translator(_language.get(), DOMAIN)(message, **values)


def did_you_mean(typed: str, names: Mapping[str, str] | Iterable[str], cutoff: float = 0.6) -> str:
    """"did you mean 'x'? " for the name closest to `typed`, else nothing. `names` may map the forms compared
    (e.g. without tones) to the forms shown."""
    shown = names if isinstance(names, Mapping) else {name: name for name in names}
    close = difflib.get_close_matches(typed, list(shown), n=1, cutoff=cutoff)
    return say("did you mean {close!r}? ", close=shown[close[0]]) if close else ""


def mark(message: str) -> str:
    """Mark a message for extraction where it is defined; `say` translates it where it is used."""
    return message
