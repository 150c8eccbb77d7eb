"""Documentation tested against the code: every command shown parses, every command is documented."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from generator.cache import cache_root
from generator.commands.cli import COMMANDS, parser
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", ROOT / "handbook" / "huong-dan.md", ROOT / "handbook" / "volunteer-guide.md"]


def shown_commands(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S) + re.findall(r"`(\./guide[^`\n]*)`", text)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip().startswith("./guide")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_shown_is_accepted(doc: Path) -> None:
    commands = shown_commands(doc)
    assert commands
    for command in commands:
        words = shlex.split(command)
        args = words[1:]
        args = [a for a in args if "..." not in a]
        if not args or args[0].startswith("["):
            continue
        parser().parse_args(args if any(a in COMMANDS for a in args) else [*args, "build"])


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_is_documented(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for verb in COMMANDS:
        if verb != "build":
            assert f"./guide {verb}" in text or f"./guide --lang vi {verb}" in text, verb


def test_readme_commands_are_what_ci_and_the_workflow_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    build, test = "bash setup.sh build", "bash setup.sh test"
    assert build in readme and test in readme
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job.get("steps", [])]
    assert build in steps
    assert any(step.get("uses", "").startswith("actions/deploy-pages") for step in workflow["jobs"]["deploy"]["steps"])
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as true


def test_the_workflow_keeps_the_build_caches_between_runs() -> None:
    """A push that adds one photo must encode one photo, not the province's."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    cached = [step["with"]["path"] for step in steps if step.get("uses", "").startswith("actions/cache")]
    assert cached == [cache_root(Path(".")).as_posix()]
    cache_step = next(i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache"))
    build_step = next(i for i, step in enumerate(steps) if step.get("run") == "bash setup.sh build")
    assert cache_step < build_step
