"""Read a YAML file into plain Python values plus the line:column of every field.

PyYAML forgets where values came from once it builds Python objects, and silently keeps the last of
two equal keys. We compose the node tree ourselves so every error can point at `file:line:col`.

Reading is bounded before anything is built: the parser's events are read once (linear in the text) to
refuse nesting deeper than a limit and, in volunteers' files, anchors and aliases (ten lines of
aliases nested nine deep expand to a billion values); the texts may not hold control characters or
the invisible bidi controls that make text display other than it reads.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..messages import mark, say

FieldPath = tuple[str | int, ...]
FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml, when PyYAML was built with it
MAX_DEPTH = 20  # levels of nesting; a site file needs five
MAX_VALUES = 200_000  # values built from one file where aliases are allowed (mkdocs.yml)
# Refused in every text: C0 and C1 control characters but tab and line feed, the bidi embeddings,
# overrides and isolates (U+202A-U+202E, U+2066-U+2069: "Trojan Source"), lone surrogates (which
# cannot be written as UTF-8) and the non-characters U+FFFE and U+FFFF.
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# Those YAML itself refuses to read when they are written into the file as they are.
UNREADABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_REPORTED = 20  # unsafe characters reported per file


def field_name(path: FieldPath) -> str:
    """`images[0].alt.vi`: a field as the volunteer finds it in the file."""
    text = ""
    for part in path:
        if isinstance(part, str):  # a field name holding an invisible character shows it escaped
            part = UNSAFE_CHARACTERS.sub(lambda found: f"\\u{ord(found.group()):04x}", part)
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass(frozen=True)
class CutText:
    """An unquoted text that a ` #` cut short: what was left out, and where (worded when shown, in the reader's
    language: located files are cached)."""

    line: int
    column: int
    field: str
    cut: str

    @property
    def message(self) -> str:
        return say("the text ends before '#{cut}': YAML reads ' #' as the start of a note and leaves it out; if it "
                   "belongs to the text, put the whole text in double quotes", cut=self.cut)


@dataclass
class Located:
    """A YAML document's data with the position of each value (and of each mapping key)."""

    data: Any
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    notes: list[CutText] = field(default_factory=list)  # readable, but probably not what was meant
    # Unquoted values YAML read as something other than text (`No`, `2024`, `02033846592`), as written: where the
    # model wants text, the text is what the writer meant (a form editor drops quotes it thinks unneeded).
    plain: dict[FieldPath, str] = field(default_factory=dict)

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
                       {k[cut:]: v for k, v in self.keys.items() if k[:cut] == prefix},
                       plain={k[cut:]: v for k, v in self.plain.items() if k[:cut] == prefix})


class YamlProblem(ValueError):
    """The file is not readable YAML, or holds what a file may not; carries the position, the field
    (when known), a plain-words message, and any further problems found in the same file."""

    def __init__(self, line: int, column: int, message: str, field: str = "",
                 more: Iterable[YamlProblem] = ()) -> None:
        super().__init__(message)
        self.line, self.column, self.message, self.field = line, column, message, field
        self.more = list(more)

    @property
    def all(self) -> list[YamlProblem]:
        return [self, *self.more]


def _mark(node: Any) -> tuple[int, int]:
    """line:column of a node, an event, or a mark itself (libyaml's marks are of a class of their own)."""
    mark = getattr(node, "start_mark", node)
    return mark.line + 1, mark.column + 1


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _position(text: str, index: int) -> tuple[int, int]:
    """line:column of the character at `index`."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _character(char: str) -> str:
    name = unicodedata.name(char, "") or say("a control character")
    return f"U+{ord(char):04X} ({name})"


def _unsafe_message(char: str) -> str:
    return say("contains the invisible character {character}, which can hide text or make it display other than "
               "it reads; delete it (retype the text around it if you cannot see it)", character=_character(char))


class _Builder:
    def __init__(self, text: str, lenient_tags: bool, max_values: int | None) -> None:
        self.text = text
        self.constructor = yaml.constructor.SafeConstructor()
        self.located = Located(None)
        self.lenient_tags = lenient_tags
        self.budget = max_values
        self.unsafe: list[YamlProblem] = []  # characters no text may hold, found while building
        self.spans: list[tuple[int, int, FieldPath]] | None = None  # each scalar's place, when asked for

    def scalar(self, node: yaml.Node, path: FieldPath, is_key: bool = False) -> Any:
        value = self._construct(node)
        if not node.style and not is_key:  # plain (libyaml says "", PyYAML None)
            if isinstance(value, str):
                self._comment_cut(node, path)
            elif value is not None:
                self.located.plain[path] = unicodedata.normalize("NFC", node.value)
        if self.spans is not None:
            self.spans.append((node.start_mark.index, node.end_mark.index, path))
        if isinstance(value, str) and len(self.unsafe) < MAX_REPORTED:
            for found in UNSAFE_CHARACTERS.finditer(value):
                # Written as it is, the character is in the file: point at it; written as an escape
                # ("\u202e"), point at the text.
                index = self.text.find(found.group(), node.start_mark.index, node.end_mark.index)
                line, column = _position(self.text, index) if index >= 0 else _mark(node)
                self.unsafe.append(YamlProblem(line, column, _unsafe_message(found.group()), field_name(path)))
                if len(self.unsafe) >= MAX_REPORTED:
                    break
        return value

    def _comment_cut(self, node: yaml.Node, path: FieldPath) -> None:
        """An unquoted text followed by ` #1…` on its line lost that part: YAML reads it as a comment. A note
        written as notes are (`# ` and words) is left alone."""
        end = node.end_mark.index
        line_end = self.text.find("\n", end)
        rest = self.text[end: None if line_end < 0 else line_end]
        found = re.match(r"[ \t]+#(\S.*)$", rest)
        if found:
            line, column = _position(self.text, end + rest.index("#"))
            self.located.notes.append(CutText(line, column, field_name(path), found.group(1).strip()))

    def _construct(self, node: yaml.Node) -> Any:
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
        if self.budget is not None:
            self.budget -= 1
            if self.budget < 0:  # aliases are allowed here, and they multiplied the values
                raise YamlProblem(*_mark(node), say(
                    "the file expands to more than {limit} values (YAML aliases '*' repeating large parts); "
                    "write the values out", limit=MAX_VALUES))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem(*_mark(key_node), say("a field name must be plain text"))
                key = str(self.scalar(key_node, (*path, key_node.value), is_key=True))
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
        return self.scalar(node, path)


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


def _meaningful(lines: list[str], start: int, step: int) -> int | None:
    """The index of the nearest line from `start` (going by `step`) that is not blank or only a comment."""
    index = start
    while 0 <= index < len(lines):
        if lines[index].strip() and not lines[index].lstrip(" \t").startswith("#"):
            return index
        index += step
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _lines(text: str) -> list[str]:
    """The lines as the parser counts them (it breaks lines at CR, NEL and the Unicode separators too)."""
    return re.split("\r\n|[\r\n\x85\u2028\u2029]", text)


def _failed_line(text: str, error: yaml.MarkedYAMLError) -> tuple[list[str], int] | None:
    """The file's lines and the index of the one the parser stopped at."""
    lines = _lines(text)
    if error.problem_mark is None or not 0 <= error.problem_mark.line < len(lines):
        return None
    return lines, error.problem_mark.line


def _tabs(text: str, error: yaml.MarkedYAMLError) -> list[YamlProblem]:
    """The line the parser stopped at, indented with Tab, with the number of spaces that puts it where it seems
    meant to be: after a line ending in ':' one level (two spaces) deeper, else level with the line above."""
    failed = _failed_line(text, error)
    if failed is None:
        return []
    lines, index = failed
    line = lines[index]
    if "\t" not in line[: len(line) - len(line.lstrip(" \t"))]:
        return []
    above = _meaningful(lines, index - 1, -1)
    previous = re.sub(r"\s+#.*$", "", lines[above]).rstrip() if above is not None else ""
    spaces = _indent(previous)
    if previous.lstrip().startswith("- ") and not line.lstrip(" \t").startswith("- "):
        spaces += 2  # a field of the list item above
    if previous.endswith((":", "|", ">", "|-", ">-")):
        spaces += 2
    return [YamlProblem(index + 1, 1, say(
        "this line is indented with the Tab key, which YAML does not accept: use spaces, never Tab; replace the "
        "indentation with {count} spaces", count=spaces))]


def _empty_then_items(text: str, error: yaml.MarkedYAMLError) -> list[YamlProblem]:
    """`images: []` (or `audio: {}`) followed by items where the parser stopped: the brackets say "none", the
    lines below say otherwise."""
    failed = _failed_line(text, error)
    if failed is None:
        return []
    lines, stopped = failed
    above = _meaningful(lines, stopped - 1, -1)
    if above is None:
        return []
    found = re.match(r"^( *(?:- +)?)([^\s#:'\"][^#:]*):[ \t]*(\[[ \t]*\]|\{[ \t]*\})[ \t]*(#.*)?$", lines[above])
    if not found:
        return []
    level, key, empty = len(found.group(1)), found.group(2).strip(), found.group(3)
    item = lines[stopped]
    if not (_indent(item) > level or (empty.startswith("[") and _indent(item) == level and item.lstrip().startswith("- "))):
        return []
    message = (mark("'{key}: []' says the list is empty, yet items follow below it; delete the '[]' (keep '{key}:')")
               if empty.startswith("[") else
               mark("'{key}: {{}}' says there are no fields, yet fields follow below it; delete the '{{}}' (keep "
                    "'{key}:')"))
    return [YamlProblem(above + 1, found.start(3) + 1, say(message, key=key))]


FIELD_NAME = re.compile(r"[a-z_]+|[a-z]{2,3}")  # a site file's field names and language codes


def _colon_in_value(text: str, error: yaml.MarkedYAMLError) -> list[YamlProblem]:
    """A one-line text holding ': ' reads as a field inside a field; quoting the whole text fixes it (a list item
    that is a text, as a source is, quoted whole)."""
    failed = _failed_line(text, error)
    if error.problem != "mapping values are not allowed here" or failed is None:
        return []
    lines, index = failed
    found = re.match(r"^( *)(- +)?([^\s#'\"][^:#]*?):[ \t]+([^'\"\s].*?)[ \t]*$", lines[index])
    if not found or ": " not in found.group(4):
        return []
    key, value = found.group(3), found.group(4)
    if found.group(2) and not FIELD_NAME.fullmatch(key):
        fixed, column = f"- {json.dumps(f'{key}: {value}', ensure_ascii=False)}", found.start(3) + 1
        message = mark("this item contains ': ', which YAML reads as a field; put the whole text in double quotes: {fixed}")
    else:
        fixed, column = f"{found.group(2) or ''}{key}: {json.dumps(value, ensure_ascii=False)}", found.start(4) + 1
        message = mark("the text after '{key}:' contains ': ', which YAML reads as the start of another field; put the "
                       "whole text in double quotes: {fixed}")
    return [YamlProblem(index + 1, column, say(message, key=key, fixed=fixed))]


def _unclosed_quote_problem(text: str, error: yaml.MarkedYAMLError) -> list[YamlProblem]:
    quote = _unclosed_quote(text)
    return [YamlProblem(*quote, say("this is not valid YAML: a quote (\" or ') opened here is not closed; "
                                    "close it at the end of the text"))] if quote else []


# Known causes of a file YAML cannot read, most telling first: each names the line to change and how.
DIAGNOSES: tuple[Callable[[str, yaml.MarkedYAMLError], list[YamlProblem]], ...] = (
    _tabs, _empty_then_items, _colon_in_value, _unclosed_quote_problem,
)


_ALIAS_ADVICE = mark("YAML anchors (&name) and aliases (*name) are not allowed in this file; write the value out in full")


def _depth_message(limit: int) -> str:
    return say("the fields are nested more than {limit} levels deep; check the indentation and the brackets [ ] {{ }}",
               limit=limit)


def _screen(text: str, aliases: bool, max_depth: int) -> None:
    """Refuse nesting deeper than `max_depth` and, unless `aliases`, any anchor or alias, reading the
    parser's events once: linear in the text, before anything is composed or expanded. Text that is not
    valid YAML is left to the composer, which stops at the same place and says why."""
    loader = FastLoader(text)
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if not aliases:
                if isinstance(event, yaml.AliasEvent):
                    raise YamlProblem(*_mark(event), say("'*{name}' repeats another part of the file: {advice}",
                                                         name=event.anchor, advice=say(_ALIAS_ADVICE)))
                if getattr(event, "anchor", None) is not None:
                    raise YamlProblem(*_mark(event), say("'&{name}' marks a part of the file to repeat elsewhere: {advice}",
                                                         name=event.anchor, advice=say(_ALIAS_ADVICE)))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    raise YamlProblem(*_mark(event), _depth_message(max_depth))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        if error.problem_mark and "nesting depth" in str(error.problem):  # libyaml's own limit, met looking ahead
            raise YamlProblem(*_mark(error.problem_mark), _depth_message(max_depth)) from None
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _compose(text: str) -> yaml.Node | None:
    """The node tree, from libyaml (ten times faster than PyYAML's own parser: a province has
    thousands of files); a file libyaml refuses is parsed again by PyYAML, whose messages say more."""
    try:
        return yaml.compose(text, Loader=FastLoader)
    except yaml.YAMLError:
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except RecursionError:  # PyYAML composes recursively; libyaml refused the nesting first
            raise YamlProblem(1, 1, say("the fields are nested too deeply; check the indentation and the brackets "
                                        "[ ] {{ }}")) from None


def _unreadable_characters(text: str, lenient_tags: bool, max_depth: int) -> None:
    """Characters YAML refuses to read, as written in the file: each with its place and, where the text
    read without them shows it (never expanding an alias), its field."""
    found = [match.start() for match in UNREADABLE_CHARACTERS.finditer(text)][:MAX_REPORTED]
    if not found:
        return
    cleaned = UNREADABLE_CHARACTERS.sub("\ufffd", text)  # one for one: every place stays where it was
    spans: list[tuple[int, int, FieldPath]] = []
    try:
        _screen(cleaned, False, max_depth)
        node = yaml.compose(cleaned, Loader=FastLoader)
        if node is not None:
            builder = _Builder(cleaned, lenient_tags, None)
            builder.spans = spans
            builder.build(node, ())
    except (yaml.YAMLError, YamlProblem, RecursionError):
        pass
    problems = []
    for index in found:
        fields = [path for start, end, path in spans if start <= index < end]
        problems.append(YamlProblem(*_position(text, index), _unsafe_message(text[index]),
                                    field_name(fields[-1]) if fields else ""))
    raise YamlProblem(problems[0].line, problems[0].column, problems[0].message, problems[0].field, problems[1:])


def parse_yaml(text: str, lenient_tags: bool = False, aliases: bool = False, max_depth: int = MAX_DEPTH) -> Located:
    """Parse one YAML document, keeping positions; raises YamlProblem in plain words.

    `aliases` allows anchors and aliases (their expansion is still bounded); volunteers' files never need them."""
    _unreadable_characters(text, lenient_tags, max_depth)
    _screen(text, aliases, max_depth)
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
        for diagnose in DIAGNOSES:
            found = diagnose(text, error)
            if found:
                raise YamlProblem(found[0].line, found[0].column, found[0].message, "", found[1:]) from None
        raise YamlProblem(line, column, say(
            "this is not valid YAML: {problem} (check the indentation, and put text containing ': ' or '#' in quotes)",
            problem=problem,
        )) from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, 1, say("this is not valid YAML: {problem}", problem=error)) from None
    if node is None:
        return Located(None)
    builder = _Builder(text, lenient_tags, MAX_VALUES if aliases else None)
    builder.located.data = builder.build(node, ())
    if builder.unsafe:
        first, *more = builder.unsafe
        raise YamlProblem(first.line, first.column, first.message, first.field, more)
    return builder.located


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """Read UTF-8 (with or without BOM); a wrong encoding raises YamlProblem at the bad byte, and a file
    larger than `max_bytes` is refused without being read whole."""
    with path.open("rb") as handle:
        raw = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(raw) > max_bytes:
        raise YamlProblem(1, 1, too_large_message(path.stat().st_size, max_bytes))
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


def too_large_message(size: int, limit: int) -> str:
    return say("the file is {size} KB; a site file may be at most {limit} KB: keep the texts shorter (photos and "
               "audio go in media/, not in the file)", size=-(-size // 1024), limit=limit // 1024)


def load_yaml(path: Path, lenient_tags: bool = False, aliases: bool = False, max_bytes: int | None = None,
              max_depth: int = MAX_DEPTH) -> Located:
    return parse_yaml(read_text(path, max_bytes), lenient_tags, aliases, max_depth)
