"""The place-name glossary (handbook/place-names.yaml) is well formed, and no text of sites/*.yaml uses a form
the glossary says to avoid in the text's language. A failure names the file, the field and the text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

GLOSSARY = ROOT / "handbook" / "place-names.yaml"
SITE_FILES = sorted((ROOT / "sites").glob("*.yaml"))
LANGUAGES = ("vi", "en", "zh")
NOT_TEXT = ("audio",)  # per-language file names, not words a reader sees


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def texts(value: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(field path, language, text) of every per-language text: a mapping keyed by language codes."""
    if isinstance(value, dict):
        if value and set(value) <= set(LANGUAGES) and all(isinstance(text, str) for text in value.values()):
            for language, text in value.items():
                yield f"{path}.{language}", language, text
            return
        for key, item in value.items():
            if key not in NOT_TEXT:
                yield from texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, f"{path}[{index}]")


def pattern(form: str) -> re.Pattern[str]:
    """The form, exactly; when it starts or ends with a Latin letter or digit, only as a whole word."""
    before = r"(?<!\w)" if form[0].isascii() and form[0].isalnum() else ""
    after = r"(?!\w)" if form[-1].isascii() and form[-1].isalnum() else ""
    return re.compile(before + re.escape(form) + after)


def offences(text: str, rules: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], int]]:
    """(rule, position) for every use in the text of a form to avoid, outside the rule's `except_in` phrases."""
    for rule in rules:
        allowed = [(m.start(), m.end()) for phrase in rule.get("except_in", []) for m in re.finditer(re.escape(phrase), text)]
        for match in pattern(rule["form"]).finditer(text):
            if not any(start <= match.start() and match.end() <= end for start, end in allowed):
                yield rule, match.start()


def problems(name: str, data: Any, avoid: dict[str, list[dict[str, Any]]]) -> list[str]:
    """One line per offence: file, field path, the form, what to write instead, and the text around it."""
    found = []
    for field, language, text in texts(data):
        for rule, at in offences(text, avoid.get(language) or []):
            around = text[max(0, at - 25):at + len(rule["form"]) + 25].replace("\n", " ")
            found.append(f"{name}: {field}: {rule['form']!r} (write {rule['use']!r}: {rule.get('why', '')}) in “…{around}…”")
    return found


def test_glossary_is_well_formed() -> None:
    glossary = load(GLOSSARY)
    assert isinstance(glossary, dict) and set(glossary) == {"names", "avoid"}, "the glossary has two lists: names and avoid"
    names = glossary["names"]
    assert isinstance(names, list) and names
    seen = set()
    for index, entry in enumerate(names):
        where = f"names[{index}] {entry!r}"
        assert isinstance(entry, dict), where
        assert set(entry) <= {*LANGUAGES, "note"}, f"{where}: unknown keys {set(entry) - {*LANGUAGES, 'note'}}"
        for language in LANGUAGES:
            assert isinstance(entry.get(language), str) and entry[language].strip(), f"{where}: no {language} text"
        key = tuple(entry[language] for language in LANGUAGES)
        assert key not in seen, f"{where}: listed twice"
        seen.add(key)
    avoid = glossary["avoid"]
    assert isinstance(avoid, dict) and set(avoid) <= set(LANGUAGES), "avoid: one list per language code"
    for language, rules in avoid.items():
        assert isinstance(rules, list), f"avoid.{language}: not a list"
        for index, rule in enumerate(rules):
            where = f"avoid.{language}[{index}] {rule!r}"
            assert isinstance(rule, dict) and set(rule) <= {"form", "use", "why", "except_in"}, where
            assert isinstance(rule.get("form"), str) and rule["form"], f"{where}: no form"
            assert isinstance(rule.get("use"), str) and rule["use"], f"{where}: no use"
            for phrase in rule.get("except_in", []):
                assert isinstance(phrase, str) and rule["form"] in phrase, f"{where}: except_in {phrase!r} lacks the form"


def test_glossary_follows_its_own_advice() -> None:
    """A name the glossary recommends, or a replacement it suggests, is never itself a form to avoid."""
    glossary = load(GLOSSARY)
    suggested = {language: [{language: rule["use"]} for rule in rules] for language, rules in glossary["avoid"].items()}
    recommended = {"names": glossary["names"], "avoid": suggested}
    assert problems("handbook/place-names.yaml", recommended, glossary["avoid"]) == []


def test_the_sample_sites_are_read() -> None:
    assert SITE_FILES
    for path in SITE_FILES:
        fields = {field for field, _language, _text in texts(load(path))}
        assert {"name.vi", "name.en", "name.zh", "body.en", "body.zh"} <= fields, path.name
        assert not any(field.startswith("audio") for field in fields)


@pytest.mark.parametrize("path", SITE_FILES, ids=lambda path: path.name)
def test_site_texts_use_the_glossary_forms(path: Path) -> None:
    found = problems(f"sites/{path.name}", load(path), load(GLOSSARY)["avoid"])
    assert not found, "forms the glossary (handbook/place-names.yaml) says to avoid:\n" + "\n".join(found)


def test_the_check_catches_what_the_readers_corrected() -> None:
    """The texts as they were before the Chinese and English readers' corrections (issue 16) fail."""
    avoid = load(GLOSSARY)["avoid"]
    before = {
        "area": {"vi": "Móng Cái", "en": "Mong Cai", "zh": "芒街"},
        "body": {
            "en": "Quarter 3 of Ka Long ward, Mong Cai, right on the bank of the Ka Long river.\n\n- parallel sentences",
            "zh": "紧邻加龙河（中方称北仑河）。\n\n由三开间的前堂、两开间的拜堂和一开间的后宫组成。在祖国边陲彰显主权。",
        },
        "location": {"address": {"zh": "广宁省广安市社安江坊"}},
        "uncertain": [{"vi": "Toạ độ ước tính.", "en": "Estimated.", "zh": "出自遗迹评级档案(示意)"}],
    }
    found = problems("sites/sample.yaml", before, avoid)
    for field, form in [("area.en", "Mong Cai"), ("body.en", "Mong Cai"), ("body.en", "Ka Long river"),
                        ("body.en", "parallel sentences"), ("body.zh", "加龙河"), ("body.zh", "拜堂"), ("body.zh", "后宫"),
                        ("body.zh", "祖国"), ("location.address.zh", "广安市社"), ("uncertain[0].zh", "评级"),
                        ("uncertain[0].zh", "(")]:
        assert any(line.startswith(f"sites/sample.yaml: {field}: {form!r}") for line in found), (field, form, found)
    assert any("“…紧邻加龙河（中方称北仑河）" in line for line in found)  # the offending text is shown
    assert not any("area.vi" in line for line in found)

    after = {
        "body": {
            "en": "Quarter 3 of Ka Long ward, Móng Cái, beside the Ka Long River, where the Mongol-Yuan fleet…",
            "zh": "紧邻北仑河（越方称加龙河）。对岸……北仑河口的1368(3)号界碑（示意图），后缀“(3)”，[链接](https://example.org/)。",
        },
    }
    assert problems("sites/sample.yaml", after, avoid) == []
