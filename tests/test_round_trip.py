"""Site files as a form editor or a hurried volunteer writes them: no quotes, no comments. What the model wants as text
is read as the text written (YAML 1.2's reading), and editors find the schema without the file's first comment."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.commands.cli import main
from generator.source.load import load_guide
from tests.conftest import ROOT

SITE = "sites/den-xa-tac.yaml"


def without_comments(text: str) -> str:
    """What an editor's save leaves of the comment lines: none (the test then writes values without quotes)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")) + "\n"


def test_unquoted_values_read_as_the_text_that_was_written(project: Path) -> None:
    path = project / SITE
    text = without_comments(path.read_text(encoding="utf-8"))
    text = text.replace("  en: Xã Tắc Temple\n", "  en: No\n", 1)  # a name YAML 1.1 reads as false
    text = text.replace("\nsources:", "\npractical:\n  contact: 02033846592\n  fee:\n    vi: 2024\n    en: yes\nsources:", 1)
    path.write_text(text, encoding="utf-8")
    site = next(site for site in load_guide(project).sites if site.slug == "den-xa-tac")
    assert site.name["en"] == "No"
    assert site.practical is not None
    assert site.practical.contact == "02033846592"  # the leading zero of a phone number kept
    assert site.practical.fee == {"vi": "2024", "en": "yes"}


def test_a_value_of_the_wrong_kind_still_fails_with_its_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / SITE
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^(\s+)lat: .*$", r"\1lat: north", text, count=1), encoding="utf-8")
    assert main(["--root", str(project), "check"]) == 1
    line = next(n for n, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "lat: north" in row)
    assert re.search(rf"^{re.escape(SITE)}:{line}:\d+: location.lat: expected a number", capsys.readouterr().err, re.M)


def test_editors_find_the_schema_without_the_files_first_comment() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    (schema, pattern), = settings["yaml.schemas"].items()
    assert (ROOT / schema).is_file() and pattern == "sites/*.yaml"
    assert list(ROOT.glob(pattern))
