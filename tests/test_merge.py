"""keep_unedited: a form's whole-file save written back into the file as it was, for every field of the samples.

The save is made as a form editor makes it: the data dumped again with no comment, no quotes, Markdown's final
newline dropped and `false` written for every yes/no field left out. Whatever was edited, the merged file must
mean what was saved, and every line of the file the edit did not touch must be as it was.
"""

from __future__ import annotations

import copy
import difflib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.commands.cli import main
from generator.source.merge import has_comment, keep_unedited
from tests.conftest import ROOT

SAMPLES = sorted((ROOT / "sites").glob("*.yaml"))
Path_ = tuple[str | int, ...]


def form_save(data: dict[str, Any]) -> str:
    """What Sveltia writes for `data`: plain YAML, texts without their final newline, yes/no fields spelled out."""
    saved = copy.deepcopy(data)
    for text in saved["body"]:
        saved["body"][text] = saved["body"][text].rstrip("\n")
    saved["location"].setdefault("approximate", False)
    saved.setdefault("audio_reads_text", False)
    for image in saved.get("images", []):
        image.setdefault("illustration", False)
    return yaml.safe_dump(saved, allow_unicode=True, sort_keys=False, width=1 << 20)


def leaves(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def edited(value: Any) -> Any:
    """Another value of the same kind, as a volunteer would type it."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return round(value + 0.25, 4)
    return value.rstrip("\n") + " (đã sửa: “ngoặc”, dấu #, a: b)"


def put(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in after.splitlines() if line not in before.splitlines()]


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_a_save_with_no_edit_changes_nothing(sample: Path) -> None:
    original = sample.read_text(encoding="utf-8")
    save = form_save(yaml.safe_load(original))
    assert save != original and not has_comment(save)
    assert keep_unedited(original, save) == original


def meaning(value: Any) -> Any:
    """`value` as the guide reads it: a text's final newline and a field left empty or false make no difference."""
    if isinstance(value, dict):
        return {key: meaning(item) for key, item in value.items() if item not in (None, False, "", [], {})}
    if isinstance(value, list):
        return [meaning(item) for item in value]
    return value.rstrip("\n") if isinstance(value, str) else value


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.stem)
def test_each_field_edited_alone_changes_its_own_lines_only(sample: Path) -> None:
    original = sample.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    lines = original.splitlines()
    comments = [line for line in lines if line.lstrip().startswith("#")]
    for path, value in leaves(data):
        wanted = put(data, path, edited(value))
        merged = keep_unedited(original, form_save(wanted))
        assert meaning(yaml.safe_load(merged)) == meaning(wanted), path
        hunks = [op for op in difflib.SequenceMatcher(a=lines, b=merged.splitlines(), autojunk=False).get_opcodes()
                 if op[0] != "equal"]
        assert len(hunks) == 1, (path, hunks)  # one place changed, every other line as it was
        assert all(comment in merged.splitlines() for comment in comments), path


def test_added_removed_and_reordered_list_items_keep_the_other_items_as_written() -> None:
    sample = ROOT / "sites" / "den-xa-tac.yaml"
    original = sample.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    wanted = copy.deepcopy(data)
    wanted["sources"] = ["Sổ tay của Đoàn phường, 2026", *data["sources"][1:]]
    wanted["uncertain"] = [{"vi": "Năm xây dựng\nchưa rõ."}]
    del wanted["location"]["address"]
    merged = keep_unedited(original, form_save(wanted))
    assert yaml.safe_load(merged)["sources"] == wanted["sources"]
    assert yaml.safe_load(merged)["uncertain"] == [{"vi": "Năm xây dựng\nchưa rõ.\n"}]  # written as a `|` block
    assert "address" not in yaml.safe_load(merged)["location"]
    assert "  - vi: |\n      Năm xây dựng\n      chưa rõ.\n" in merged
    for source in data["sources"][1:]:
        assert any(source in line for line in merged.splitlines())


def test_markdown_spelt_otherwise_and_empty_fields_are_no_edit() -> None:
    original = (ROOT / "sites" / "den-xa-tac.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    assert "**" in data["body"]["vi"], "the sample has emphasis to respell"
    respelt = put(data, ("body", "vi"), data["body"]["vi"].replace("**", "__"))
    respelt["status_note"] = {"vi": "", "en": ""}  # what an editor without omit_empty_optional_fields adds
    assert keep_unedited(original, form_save(respelt)) == original


def test_a_group_of_texts_cleared_in_the_form_is_taken_out() -> None:
    """Emptied in the form, a group must go: `vi: ''` left in the file would fail the build."""
    original = (ROOT / "sites" / "den-xa-tac.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    assert data["location"]["address"]["vi"], "the sample has an address to clear"
    cleared = put(data, ("location", "address"), {language: "" for language in data["location"]["address"]})
    merged = yaml.safe_load(keep_unedited(original, form_save(cleared)))
    assert "address" not in merged["location"] and merged["location"]["lat"] == data["location"]["lat"]


def test_a_save_the_file_cannot_take_stands_as_saved() -> None:
    """A file the round trip cannot reproduce (its own indentation) is not rewritten, nor is a broken one."""
    odd = "id: KL1368\nname:\n      vi: Cột mốc\nsources:\n        -   Sách\n"
    save = "id: KL1368\nname:\n  vi: Cột mốc 1368\nsources:\n- Sách\n"
    assert keep_unedited(odd, save) == save
    assert keep_unedited("id: [", save) == save
    assert keep_unedited(odd, "id: [") == "id: ["


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


def test_keep_layout_merges_the_forms_saves_since_a_commit_and_leaves_the_rest(project: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The pull-request job: a form save is merged into the file at the base commit; a hand edit (comments kept)
    and a new file are left as they are."""
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    by_form, by_hand = project / "sites" / "den-xa-tac.yaml", project / "sites" / "cot-moc-1368.yaml"
    before, hand = by_form.read_text(encoding="utf-8"), by_hand.read_text(encoding="utf-8")
    data = yaml.safe_load(before)
    by_form.write_text(form_save(put(data, ("summary", "vi"), "Đền thờ thần Đất và thần Lúa.")), encoding="utf-8")
    hand = hand.replace("slug: cot-moc-1368", "slug: cot-moc-1368 # sửa tay", 1)
    by_hand.write_text(hand, encoding="utf-8")
    new = project / "sites" / "dinh-moi.yaml"
    new.write_text("id: DT01\n", encoding="utf-8")
    assert main(["--root", str(project), "keep-layout", "--since", "HEAD"]) == 0
    assert "den-xa-tac.yaml" in capsys.readouterr().out
    after = by_form.read_text(encoding="utf-8")
    assert [line.strip() for line in changed_lines(before, after)] == ["Đền thờ thần Đất và thần Lúa."]  # its style kept
    assert by_hand.read_text(encoding="utf-8") == hand and new.read_text(encoding="utf-8") == "id: DT01\n"
