"""Read a YAML file into plain Python values plus the line:column of every field.

PyYAML forgets where values came from once it builds Python objects, and silently keeps the last of
two equal keys. We compose the node tree ourselves so every error can point at `file:line:col`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .messages import say

FieldPath = tuple[str | int, ...]
FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml, when PyYAML was built with it


@dataclass
class Located:
    """A YAML document's data with the position of each value (and of each mapping key)."""

    data: Any
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: FieldPath) -> tuple[int, int]:
        """Where the field `path` is written: its key, else its value (list items), else its nearest
        located ancestor (e.g. the mapping a missing field belongs to)."""
        for cut in range(len(path), -1, -1):
            found = self.keys.get(path[:cut]) or self.values.get(path[:cut])
            if found:
                return found
        return (1, 1)

    def subtree(self, prefix: FieldPath) -> Located:
        """The part below `prefix`, with positions, as if it were a document of its own."""
        data = self.data
        for part in prefix:
            data = data[part] if isinstance(data, (dict, list)) else None
        cut = len(prefix)
        return Located(data, {k[cut:]: v for k, v in self.values.items() if k[:cut] == prefix},
                       {k[cut:]: v for k, v in self.keys.items() if k[:cut] == prefix})


class YamlProblem(ValueError):
    """The file is not readable YAML; carries the position and a plain-words message."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class _Builder:
    def __init__(self, lenient_tags: bool) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        self.located = Located(None)
        self.lenient_tags = lenient_tags

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return _nfc(self.constructor.construct_object(node))
        except yaml.constructor.ConstructorError as error:
            if self.lenient_tags:  # e.g. MkDocs' `!!python/name:` and `!ENV` tags, which MkDocs itself reads
                return node.value
            raise YamlProblem(*_mark(node), say("unreadable value: {problem}", problem=error.problem)) from None
        except (ValueError, TypeError, OverflowError) as error:  # e.g. an impossible date: 2026-02-30
            raise YamlProblem(*_mark(node), say("unreadable value {value!r}: {problem}",
                                                value=node.value, problem=error)) from None

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        self.located.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem(*_mark(key_node), say("a field name must be plain text"))
                key = str(self.scalar(key_node))
                if key in result:
                    line, _ = self.located.keys[(*path, key)]
                    raise YamlProblem(
                        *_mark(key_node),
                        say("the field '{key}' appears twice (first on line {line}); keep only one", key=key, line=line),
                    )
                self.located.keys[(*path, key)] = _mark(key_node)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node)


def _unclosed_quote(text: str) -> tuple[int, int] | None:
    """Where a quoted text swallows following lines that look like fields: a quote left open.

    PyYAML only notices much later (where the next quote closes it), so we look for the opening."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and re.search(r"\n\s*[\w-]+:(\s|$)", text[token.start_mark.index:token.end_mark.index])):
                return token.start_mark.line + 1, token.start_mark.column + 1
    except yaml.YAMLError:
        return None
    return None


def _compose(text: str) -> yaml.Node | None:
    """The node tree, from libyaml (ten times faster than PyYAML's own parser: a province has
    thousands of files); a file libyaml refuses is parsed again by PyYAML, whose messages say more."""
    try:
        return yaml.compose(text, Loader=FastLoader)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, lenient_tags: bool = False) -> Located:
    """Parse one YAML document, keeping positions; raises YamlProblem in plain words."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as error:
        # Where an unclosed bracket or quote was opened is where the volunteer must look; the parser
        # notices the problem later (the problem mark), often on the next line.
        marks = [m for m in (error.context_mark, error.problem_mark) if m is not None]
        mark = min(marks, key=lambda m: (m.line, m.column)) if marks else None
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem
        if error.problem_mark and error.problem_mark.line + 1 != line:
            problem = say("{problem} on line {line}", problem=problem, line=error.problem_mark.line + 1)
        quote = _unclosed_quote(text)
        if quote:
            raise YamlProblem(*quote, say("this is not valid YAML: a quote (\" or ') opened here is not closed; "
                                          "close it at the end of the text")) from None
        raise YamlProblem(line, column, say(
            "this is not valid YAML: {problem} (check the indentation, and put text containing ': ' or '#' in quotes)",
            problem=problem,
        )) from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, 1, say("this is not valid YAML: {problem}", problem=error)) from None
    if node is None:
        return Located(None)
    builder = _Builder(lenient_tags)
    builder.located.data = builder.build(node, ())
    return builder.located


def read_text(path: Path) -> str:
    """Read UTF-8 (with or without BOM); a wrong encoding raises YamlProblem at the bad byte."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            line,
            column,
            say("the file is not saved as UTF-8; open it in your editor and save it again with the encoding 'UTF-8'"),
        ) from None


def load_yaml(path: Path, lenient_tags: bool = False) -> Located:
    return parse_yaml(read_text(path), lenient_tags)
