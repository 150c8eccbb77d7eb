"""Fuzzing site files with Hypothesis: whatever a volunteer saves, the tool either builds a correct
site or names each problem as `sites/<file>:<line>: field: ...`; never a traceback, never a hang,
never a half-written `site/`.

Cases are mutations of the sample files (wrong types, missing and extra keys, odd YAML scalars,
hostile Unicode: bidi marks, combining marks, emoji, NUL, very long text) and hand-edited YAML text.
CI runs a bounded number of examples; `FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py`
runs a long campaign (`FUZZ_BUILDS` bounds the full builds among them).
"""

from __future__ import annotations

import copy
import html
import html.parser
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.problems import GuideError
from tests.conftest import ROOT, copy_project

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
BUILDS = int(os.environ.get("FUZZ_BUILDS", "6"))
SAMPLES = {path.name: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "sites").glob("*.yaml"))}
PROBLEM_LINE = re.compile(r"^sites/[^:]+\.yaml(:\d+:\d+)?: ")  # where: the file, and the line when there is one

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "\u202eevil\u202c", "\u200f\u05e9\u05dc\u05d5\u05dd", "a\u0301\u0302\u0303\u0304", "🏯🙏🏽", "nul\x00here",
        "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "{{ 7*7 }}", "[x](javascript:alert(1))",
        "𡨸 Hán Nôm", "x" * 20_000, "", " ", "\t", "line\nbreak",
    ]),
)
ODD_SCALARS = ["no", "yes", "on", "off", "~", "null", "1e3", "0x1F", "0o17", "2024-01-01", "12:30", ".inf", "-.nan",
               "'quoted'", '"\\u0000"', "[]", "{}", "[1, [2, [3]]]", "!!binary aGVsbG8=", "&a x", "*a", "|\n  block"]
VALUES = st.one_of(HOSTILE_TEXT, st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                   st.lists(st.text(max_size=5), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3))


def paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a parsed site file (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for name, value in document.items():
            found += paths(value, (*prefix, name))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += paths(value, (*prefix, index))
    return found


def _parent(document: Any, path: tuple) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


@st.composite
def mutated_document(draw: st.DrawFn) -> tuple[str, Any]:
    """A sample site file with a few of its values replaced, deleted or added."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    document = copy.deepcopy(SAMPLES[name])
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(document)))
        parent, last = _parent(document, where), where[-1]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[last] = draw(VALUES)
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(VALUES)
        if not paths(document):
            break
    return name, document


@st.composite
def edited_text(draw: st.DrawFn) -> tuple[str, str]:
    """A sample file as text with one value replaced by an odd YAML scalar, as typed by hand."""
    name = draw(st.sampled_from(sorted(SAMPLES)))
    lines = (ROOT / "sites" / name).read_text(encoding="utf-8").splitlines()
    values = [index for index, line in enumerate(lines) if re.match(r"^\s*[\w-]+: \S", line)]
    index = draw(st.sampled_from(values))
    key = lines[index].split(":", 1)[0]
    lines[index] = f"{key}: {draw(st.sampled_from(ODD_SCALARS))}"
    return name, "\n".join(lines) + "\n"


class PageParser(html.parser.HTMLParser):
    """Parses a built page; volunteer text that escaped its markup would show as a handler or a script URL."""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler attribute {name}={value!r}"
            if name in ("href", "src") and value:
                assert not value.strip().lower().startswith(("javascript:", "data:text")), value


class Fuzzed:
    """One project copy, reused for every example: a site file is swapped in, checked, sometimes built."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.builds = 0
        self.good = pipeline.build(root, register=False).output
        self.mark = (self.good / pipeline.OUTPUT_MARK).read_text(encoding="utf-8")

    def run(self, name: str, text: str) -> None:
        original = (ROOT / "sites" / name).read_text(encoding="utf-8")
        target = self.root / "sites" / name
        target.write_text(text, encoding="utf-8")
        try:
            try:
                pipeline.check(self.root)
            except GuideError as error:
                self.assert_located(error, name)
                return
            if self.builds < BUILDS:
                self.builds += 1
                self.build_and_verify(name)
        finally:
            target.write_text(original, encoding="utf-8")

    def assert_located(self, error: GuideError, name: str) -> None:
        assert error.problems, "an error with nothing in it"
        for problem in error.problems:
            line = str(problem)
            assert PROBLEM_LINE.match(line) or line.startswith(("mkdocs.yml", "plaques.yaml")), line
            assert "Traceback" not in line
        assert any(problem.file == f"sites/{name}" for problem in error.problems), error

    def build_and_verify(self, name: str) -> None:
        """Either a whole, correct site, or an error and the previous site untouched."""
        try:
            result = pipeline.build(self.root, register=False)
        except GuideError as error:
            assert (self.good / pipeline.OUTPUT_MARK).read_text(encoding="utf-8") == self.mark, "site/ changed"
            self.assert_located(error, name)
            return
        document = yaml.safe_load((self.root / "sites" / name).read_text(encoding="utf-8"))
        for page in result.output.rglob("*.html"):
            parser = PageParser()
            parser.feed(page.read_text(encoding="utf-8"))
        for language, title in document["name"].items():
            page = (result.output / language / document["slug"] / "index.html").read_text(encoding="utf-8")
            assert html.escape(title.strip(), quote=False) in page or not title.strip(), (language, title)
        self.mark = (result.output / pipeline.OUTPUT_MARK).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Fuzzed:
    root = copy_project(tmp_path_factory.mktemp("fuzz") / "guide")
    shutil.rmtree(root / "site", ignore_errors=True)
    return Fuzzed(root)


FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=10_000, derandomize=os.environ.get("CI") == "true",
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                HealthCheck.data_too_large])


@FUZZ_SETTINGS
@given(case=mutated_document())
def test_mutated_site_files_build_or_are_reported_with_their_line(fuzzed: Fuzzed, case: tuple[str, Any]) -> None:
    name, document = case
    fuzzed.run(name, yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


@FUZZ_SETTINGS
@given(case=edited_text())
def test_hand_typed_yaml_scalars_build_or_are_reported_with_their_line(fuzzed: Fuzzed, case: tuple[str, str]) -> None:
    fuzzed.run(*case)


def test_the_campaign_reached_whole_builds(fuzzed: Fuzzed) -> None:
    """Runs after the fuzz tests: some mutations must have passed validation and been built, or the
    campaign only ever tested the validator."""
    print(f"fuzz: {EXAMPLES} examples per test, {fuzzed.builds} whole builds")
    assert fuzzed.builds > 0
