"""Keep what nobody edited: a form editor saves a site file whole, so its comments, quotes, block styles and
Markdown spelling (`*x*` saved as `_x_`, a final newline dropped) would change on every save. `keep_unedited`
writes into the file as it was only the values whose meaning changed, at their place, in the style the value
had; every other line stays as written.

Meaning is compared as the guide reads it: texts equal but for the final newline, and Markdown that renders to
the same page, are unchanged; a field the editor leaves out because it is empty was empty before.
"""

from __future__ import annotations

import difflib
import io
import json
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

from ..safe_markdown import render

MARKDOWN_FIELDS = ("body",)  # the site fields whose texts per language are Markdown
# Sequence indentations a file may use: `key:\n  - item` (the samples' and the template's) or `key:\n- item`.
LAYOUTS = ({"mapping": 2, "sequence": 4, "offset": 2}, {"mapping": 2, "sequence": 2, "offset": 0})


def _round_trip(layout: dict[str, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never fold a long line the volunteer wrote on one line
    yaml.indent(**layout)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _empty(value: Any) -> bool:
    """Whether a form means `value` as not written: every yes/no field of the model defaults to no, which the form
    writes out, and a form may write a group of empty texts for a group nobody filled in (or one just cleared)."""
    if isinstance(value, dict):  # a group of texts per language with none filled in, too
        return all(_empty(item) for item in value.values())
    return value is None or value is False or value == "" or value == []


def _same(old: Any, new: Any, markdown: bool) -> bool:
    """Whether the guide reads `old` and `new` alike."""
    if isinstance(old, str) and isinstance(new, str):
        if old.rstrip("\n") == new.rstrip("\n"):
            return True
        return markdown and render(str(old))[0] == render(new)[0]
    if isinstance(old, dict) and isinstance(new, dict):
        keys = {key for key in (*old, *new) if not (_empty(old.get(key)) and _empty(new.get(key)))}
        return all(_same(old.get(key), new.get(key), markdown or key in MARKDOWN_FIELDS) for key in keys)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b, markdown) for a, b in zip(old, new, strict=True))
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new or (old == new and type(old) is type(new))
    return old == new or (_empty(old) and _empty(new))


def _fresh(value: Any) -> Any:
    """A value the file did not have, as a volunteer would write it: texts of several lines as `|` blocks."""
    if isinstance(value, str) and "\n" in value.rstrip("\n"):
        return LiteralScalarString(value if value.endswith("\n") else value + "\n")
    if isinstance(value, dict):
        return CommentedMap((key, _fresh(item)) for key, item in value.items() if not _empty(item))
    if isinstance(value, list):
        return CommentedSeq(_fresh(item) for item in value)
    return value


def _styled(old: Any, new: Any) -> Any:
    """`new` written as `old` was: the same quotes or block style; a block text keeps its final newline."""
    if isinstance(old, ScalarString) and isinstance(new, str):
        if isinstance(old, LiteralScalarString) and old.endswith("\n") and not new.endswith("\n"):
            new += "\n"
        return type(old)(new)
    return _fresh(new)


def _merged(old: Any, new: Any, markdown: bool = False) -> Any:
    """`old` (round-trip nodes, with their comments) changed where `new` means something else."""
    if _same(old, new, markdown):
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [key for key in old if _empty(new.get(key)) and not _empty(old[key])]:
            del old[key]  # cleared in the form (left out, or saved empty: both mean not written)
        previous = None
        for key, value in new.items():
            if key in old:
                old[key] = _merged(old[key], value, markdown or key in MARKDOWN_FIELDS)
            elif not _empty(value):
                position = 0 if previous is None else list(old).index(previous) + 1
                old.insert(position, key, _fresh(value))
            if key in old:
                previous = key
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        matcher = difflib.SequenceMatcher(a=[_canonical(item) for item in old], b=[_canonical(item) for item in new],
                                          autojunk=False)
        items: list[Any] = []
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            if tag == "equal":
                items += old[a0:a1]
            elif tag == "replace" and a1 - a0 == b1 - b0:  # items edited in place keep their layout
                items += [_merged(a, b, markdown) for a, b in zip(old[a0:a1], new[b0:b1], strict=True)]
            else:
                items += [_fresh(item) for item in new[b0:b1]]
        old[:] = items
        return old
    return _styled(old, new)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def keep_unedited(original: str, saved: str) -> str:
    """`original` with the values that `saved` changes written in; `saved` itself when `original` is no YAML
    mapping (nothing to keep). The result means what `saved` means, with its empty values left out."""
    try:
        wanted = YAML(typ="safe").load(saved)
    except YAMLError:  # the form wrote no YAML: the build reports it at its line
        return saved
    for layout in LAYOUTS:
        yaml = _round_trip(layout)
        try:
            kept = yaml.load(original)
        except YAMLError:  # the file before was broken: the form's version stands
            return saved
        if not isinstance(kept, CommentedMap) or not isinstance(wanted, dict):
            return saved
        if _dump(yaml, kept) == original:  # this layout writes the file's untouched lines as they are
            merged = _dump(yaml, _merged(kept, wanted))
            # Never lose an edit: should the result mean anything else than what was saved, the save stands.
            return merged if _same(YAML(typ="safe").load(merged), wanted, markdown=False) else saved
    return saved  # a layout of its own: rewriting it would move lines nobody edited


def merged_form_save(before: str, saved: str) -> str | None:
    """What to write in place of `saved`, a new version of the file `before`, when the form editor wrote it (it
    leaves no comment; a file with one was written by hand) and merging keeps lines `saved` lost; else None."""
    if saved == before or has_comment(saved):
        return None
    merged = keep_unedited(before, saved)
    return merged if merged != saved else None


def has_comment(text: str) -> bool:
    """Whether a YAML text has a comment (a '#' outside every value: Markdown headings in a block are text)."""
    try:
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return True  # not what the form writes: leave it as it is
    inside: set[int] = set()  # lines within a value of several lines
    token_end: dict[int, int] = {}  # the column where the last token of a line ends
    for token in tokens:
        start, end = token.start_mark, token.end_mark
        last = end.line if end.column else end.line - 1
        inside.update(range(start.line + 1, last + 1))
        token_end[end.line] = max(token_end.get(end.line, 0), end.column)
    for number, line in enumerate(text.splitlines()):
        if number in inside:
            continue
        for column, char in enumerate(line):
            if char == "#" and (column == 0 or line[column - 1] in " \t") and column >= token_end.get(number, 0):
                return True
    return False
