"""Load stage: project settings and every site file → validated models, or every problem at once."""

from __future__ import annotations

import datetime
import difflib
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ValidationError

from ..cache import FileDigests, Store, cache_root, key
from ..messages import did_you_mean, mark, say
from ..printing import plaques
from ..problems import GuideError, Problem, display_path
from .model import MAX_NESTING, MAX_SITE_FILE_BYTES, Context, Settings, Site
from .yamlsource import FieldPath, Located, YamlProblem, field_name, load_yaml, too_large_message

SITE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~:%/-]*)?")


@dataclass(frozen=True)
class Project:
    """Where things live in a guide project; every stage takes paths from here."""

    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def sites_dir(self) -> Path:
        return self.root / "sites"

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def registry_file(self) -> Path:
        return self.root / "plaques.yaml"

    @property
    def output_dir(self) -> Path:
        return self.root / "site"

    def show(self, path: Path) -> str:
        return display_path(path, self.root)


@dataclass(frozen=True)
class SiteFile:
    """A validated site with the file it came from (for messages that point back to it) and the
    digest of its content (what every output showing this site is keyed by)."""

    path: str
    site: Site
    located: Located
    digest: str


@dataclass(frozen=True)
class Guide:
    """Everything the render stage needs: settings and all sites, already validated."""

    project: Project
    settings: Settings
    site_url: str
    mkdocs_config: dict[str, Any]
    files: tuple[SiteFile, ...]
    settings_digest: str  # of mkdocs.yml: every page depends on it

    @property
    def sites(self) -> tuple[Site, ...]:
        return tuple(entry.site for entry in self.files)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.settings.languages)

    @property
    def default_language(self) -> str:
        return self.settings.default_language

    @cached_property
    def area_organisations(self) -> dict[str, str]:
        """Organisation key by area (folded, as `area_key` folds it): who looks after each area's sites."""
        return {area_key(area): key for key, organisation in self.settings.organisations.items() for area in organisation.areas}

    def organisation_of(self, site: Site) -> str | None:
        """The key of the organisation that looks after `site`: the one it names, else the one whose areas hold
        its area; None for the guide's publisher (`organisation`)."""
        return site.organisation or self.area_organisations.get(area_key(site.area[self.default_language]))

    @property
    def repository(self) -> str:
        """The GitHub repository the form editor saves to: the setting, else the one the workflow runs in."""
        return self.settings.repository or os.environ.get("GITHUB_REPOSITORY") or "OWNER/REPOSITORY"

    @property
    def notes(self) -> list[str]:
        """Warnings about what the files say but the guide will not show (a text a '#' cut short)."""
        return [str(Problem(entry.path, note.line, note.column, note.field, note.message))
                for entry in self.files for note in entry.located.notes]

    def organisation_name(self, key: str | None, language: str) -> str:
        """An organisation's name (None: the publisher's) in `language`, else in the default language."""
        names = self.settings.organisations[key].name if key else self.settings.organisation
        return names.get(language) or names[self.default_language]


def area_key(area: str) -> str:
    """An area name as organisations and sites are matched on it: case and Unicode forms do not count."""
    return unicodedata.normalize("NFC", area).strip().casefold()


def _describe(value: Any) -> str:
    """Name a YAML value's kind in the words a volunteer would use."""
    kinds: list[tuple[type | tuple[type, ...], str]] = [
        (bool, mark("true/false")),
        ((int, float), mark("a number")),
        (str, mark("text")),
        (dict, mark("a group of fields")),
        (list, mark("a list")),
        ((datetime.date, datetime.datetime), mark("a date")),
        (type(None), mark("nothing")),
    ]
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def _expected(kind: str) -> Any:
    return lambda err: say(kind, got=say(_describe(err["input"])))


def _choices(err: dict[str, Any]) -> str:
    allowed = [part.strip(" '") for part in err["ctx"]["expected"].replace(" or ", ",").split(",")]
    close = difflib.get_close_matches(str(err["input"]), allowed, n=1)
    if close:
        return say("{value!r} is not allowed; did you mean {close!r}? Use one of: {allowed}",
                   value=err["input"], close=close[0], allowed=", ".join(allowed))
    return say("{value!r} is not allowed. Use one of: {allowed}", value=err["input"], allowed=", ".join(allowed))


# One table from pydantic's error kinds to plain words; anything else falls back to pydantic's text.
_MESSAGES = {
    "string_type": _expected(mark("expected text, got {got} (put it in quotes if it is a number or a date)")),
    "float_type": _expected(mark("expected a number like 21.5334, got {got}")),
    "int_type": _expected(mark("expected a whole number, got {got}")),
    "bool_type": _expected(mark("expected true or false, got {got}")),
    "dict_type": _expected(mark("expected a group of fields (indented 'name: value' lines), got {got}")),
    "model_type": _expected(mark("expected a group of fields (indented 'name: value' lines), got {got}")),
    "list_type": _expected(mark("expected a list (lines starting with '- '), got {got}")),
    "string_too_short": lambda err: say("must not be empty"),
    "string_too_long": lambda err: say("is {length} characters long; at most {limit} are allowed here: shorten it",
                                       length=len(err["input"]), limit=err["ctx"]["max_length"]),
    "too_short": lambda err: say("needs at least one entry"),
    "too_long": lambda err: say("has {count} entries; at most {limit} are allowed: keep the most useful ones",
                                count=err["ctx"]["actual_length"], limit=err["ctx"]["max_length"]),
    "greater_than_equal": lambda err: say("must be at least {limit:g} (got {value})", limit=err["ctx"]["ge"], value=err["input"]),
    "less_than_equal": lambda err: say("must be at most {limit:g} (got {value})", limit=err["ctx"]["le"], value=err["input"]),
    "literal_error": _choices,
    "value_error": lambda err: str(err["ctx"]["error"]),
    "string_pattern_mismatch": lambda err: say("{value!r} does not have the expected form", value=err["input"]),
}


def problems_from(error: ValidationError, file: str, located: Located, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for err in error.errors(include_url=False):
        path: FieldPath = tuple(err["loc"])
        if path and path[-1] == "[key]":
            path = path[:-1]
        kind = err["type"]
        if kind == "extra_forbidden":
            known = _known_fields(model, path[:-1])
            close = difflib.get_close_matches(str(path[-1]), known, n=1)
            if close:
                message = say("unknown field {field!r}; did you mean {close!r}?", field=path[-1], close=close[0])
            else:
                message = say("unknown field {field!r}; known fields here: {known}", field=path[-1], known=", ".join(known))
        elif kind == "missing":
            message = say("required field {field!r} is missing; add it", field=path[-1])
        else:
            message = _MESSAGES.get(kind, lambda err: err["msg"])(err)
        line, column = located.position(path)
        line, column = _inside_block(err.get("input"), message, line, column)
        problems.append(Problem(file, line, column, field_name(path), message))
    return problems


def _inside_block(value: Any, message: str, line: int, column: int) -> tuple[int, int]:
    """For a multi-line text (a `|` block), point at the line holding the quoted culprit."""
    quoted = re.search(r"'([^']+)'", message)
    if not (isinstance(value, str) and "\n" in value and quoted):
        return line, column
    for offset, text in enumerate(value.splitlines(), start=1):
        if quoted.group(1) in text:
            return line + offset, column + 2 + text.index(quoted.group(1))
    return line, column


def _known_fields(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The field names allowed at `path`, for "did you mean" hints."""
    for part in path:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[str(part)].annotation
        inner = [arg for arg in getattr(annotation, "__args__", ()) if isinstance(arg, type)]
        candidates = [annotation, *inner]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            return []
        model = nested[0]
    return list(model.model_fields)


def _validate(
    model: type[BaseModel], located: Located, file: str, context: dict[str, Any] | None = None
) -> tuple[Any, list[Problem]]:
    if not isinstance(located.data, dict):
        return None, [Problem(file, 1, 1, "", say("expected 'field: value' lines at the top of the file"))]
    try:
        return model.model_validate(located.data, context=context), []
    except ValidationError as error:
        texts = {tuple(err["loc"]) for err in error.errors(include_url=False)
                 if err["type"] == "string_type" and tuple(err["loc"]) in located.plain}
        if not texts:
            return None, problems_from(error, file, located, model)
    try:  # once more, with the unquoted values that are wanted as text read as written
        return model.model_validate(_as_written(located.data, texts, located.plain), context=context), []
    except ValidationError as error:
        return None, problems_from(error, file, located, model)


def _as_written(data: Any, paths: set[FieldPath], written: dict[FieldPath, str], here: FieldPath = ()) -> Any:
    """`data` with the values at `paths` replaced by their text as written (YAML 1.2 reads `No`, `2024` and
    `02033846592` where text is wanted as that text; YAML 1.1 made them false and numbers)."""
    if here in paths:
        return written[here]
    if isinstance(data, dict):
        return {key: _as_written(value, paths, written, (*here, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [_as_written(value, paths, written, (*here, index)) for index, value in enumerate(data)]
    return data


def _slug_from_name(located: Located, path: Path) -> Located:
    """A site file without a slug (as the form editor writes a new one) is at the address its name says."""
    if isinstance(located.data, dict) and located.data.get("slug") is None:
        return replace(located, data={**located.data, "slug": path.stem})
    return located


def load_settings(project: Project) -> tuple[Settings, dict[str, Any]]:
    """Read mkdocs.yml: the guide settings live in its `extra.guide` section."""
    file = project.show(project.config_file)
    if not project.config_file.is_file():
        raise GuideError(say("{file}: not found; run the command from the guide's folder", file=file))
    try:
        located = load_yaml(project.config_file, lenient_tags=True, aliases=True)
    except YamlProblem as error:
        raise GuideError(_yaml_problems(file, error)) from None
    config = located.data if isinstance(located.data, dict) else {}
    problems = []
    if not isinstance(config.get("site_url"), str) or not SITE_URL.fullmatch(config["site_url"]):
        # It is printed into every page (canonical, 404, sitemap, plaques): a plain web address, nothing else.
        problems.append(Problem(file, *located.position(("site_url",)), "site_url", say(
            "set the guide's public address, e.g. https://heritage.example.vn/ (only letters, digits and "
            "- . _ ~ / : % in it; no spaces or quotes)")))
    sub = located.subtree(("extra", "guide"))
    if sub.data is None:
        raise GuideError([Problem(file, 1, 1, "extra.guide", say("missing; copy the 'extra: guide:' section from the README"))])
    # An organisation's logo is a media file: checked as a site's photos are.
    settings, found = _validate(Settings, sub, file, {"guide": Context((), "", project.media_dir)})
    problems += [Problem(p.file, p.line, p.column, f"extra.guide.{p.field}", p.message) for p in found]
    if settings:
        problems += [Problem(file, *sub.position(field), "extra.guide." + field_name(field), message)
                     for field, message in _settings_problems(settings)]
        default = settings.default_language
        printed: list[tuple[FieldPath, str]] = [(("organisation", default), settings.organisation.get(default, ""))]
        printed += [(("organisations", name, "name", default), organisation.name.get(default, ""))
                    for name, organisation in settings.organisations.items()]
        problems += [Problem(file, *sub.position(field), "extra.guide." + field_name(field), message)
                     for field, text in printed for message in _unprintable(text)]  # names printed on plaques
    if problems:
        raise GuideError(problems)
    return settings, config


def _settings_problems(settings: Settings) -> list[tuple[FieldPath, str]]:
    """Checks across settings: the default language is configured and known; every text has it."""
    found: list[tuple[FieldPath, str]] = []
    for index, language in enumerate(settings.languages):
        try:
            Locale.parse(language)
        except (ValueError, UnknownLocaleError):
            found.append((("languages", index), say("{value!r} is not a known language code (use ISO 639-1, e.g. vi, en, zh, ko)",
                                                    value=language)))
    default = settings.default_language
    if default not in settings.languages:
        found.append((("default_language",), say("{value!r} must be one of the languages {languages}",
                                                   value=default, languages=", ".join(settings.languages))))
    if settings.fallback_language and settings.fallback_language not in settings.languages:
        found.append((("fallback_language",), say("{value!r} must be one of the languages {languages}",
                                                    value=settings.fallback_language,
                                                    languages=", ".join(settings.languages))))
    texts: list[tuple[FieldPath, dict[str, str]]] = [(("title",), settings.title), (("organisation",), settings.organisation)]
    texts += [(("organisations", name, "name"), organisation.name) for name, organisation in settings.organisations.items()]
    for field, value in texts:
        if default not in value:
            found.append((field, say("the {default!r} text is missing; every text needs at least {default!r}",
                                     default=default)))
    claimed: dict[str, str] = {}
    for name, organisation in settings.organisations.items():
        for index, area in enumerate(organisation.areas):
            other = claimed.setdefault(area_key(area), name)
            if other != name:
                found.append((("organisations", name, "areas", index), say(
                    "{area!r} is already looked after by {other!r}; an area belongs to one organisation (a site "
                    "can name another with its own 'organisation:' field)", area=area, other=other)))
    return found


def _duplicates(files: Iterable[SiteFile], field: str, message: str, owners: Mapping[str, str] = {}) -> list[Problem]:
    """Each value taken twice, reported on the file that is new: the one that is not the value's owner (`owners`:
    value → the slug that holds it, e.g. the page a plaque id was printed for), else the later one."""
    by_value: dict[str, list[SiteFile]] = {}
    for entry in files:
        by_value.setdefault(getattr(entry.site, field), []).append(entry)
    problems = []
    for value, entries in by_value.items():
        if len(entries) < 2:
            continue
        first = next((entry for entry in entries if entry.site.slug == owners.get(value)), entries[0])
        for entry in entries:
            if entry is first:
                continue
            line, column = entry.located.position((field,))
            other = f"{first.path}:{first.located.position((field,))[0]}"
            problems.append(Problem(entry.path, line, column, field,
                                    say(message, value=value, other=other, slug=entry.site.slug)))
    return problems


def _yaml_problems(file: str, error: YamlProblem) -> list[Problem]:
    return [Problem(file, found.line, found.column, found.field, found.message) for found in error.all]


def _unreadable(file: str, error: OSError) -> Problem:
    return Problem(file, 0, 0, "", say("cannot be read ({reason}); replace it with a site file or remove it from sites/",
                                       reason=error.strerror or error))


def _unprintable(text: str) -> list[str]:
    """Why `text` cannot be printed on a plaque as written: characters the plaque font lacks, which the
    plaque would silently leave out. Nothing when the font is not installed (the print stage says so)."""
    try:
        missing = plaques.unprintable(text)
    except plaques.FontMissing:
        return []
    if not missing:
        return []
    return [say("the plaque font has no {characters}; the printed plaque would leave them out. Write it with "
                "characters the font has (for example the usual Chinese form of a Han-Nom character)",
                characters=", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing))]


def _tour_problems(file: str, site: Site, located: Located) -> list[Problem]:
    """A tour's scenes have names of their own, and every hotspot leads to one of them."""
    problems, seen = [], set()
    for index, scene in enumerate(site.panoramas):
        if scene.id in seen:
            path: FieldPath = ("panoramas", index, "id")
            problems.append(Problem(file, *located.position(path), field_name(path), say(
                "{value!r} is already the id of another scene of this tour; give each scene its own", value=scene.id)))
        seen.add(scene.id)
    for index, scene in enumerate(site.panoramas):
        for number, hotspot in enumerate(scene.hotspots):
            if hotspot.to not in seen or hotspot.to == scene.id:
                path = ("panoramas", index, "hotspots", number, "to")
                others = sorted(seen - {scene.id})
                problems.append(Problem(file, *located.position(path), field_name(path), say(
                    "{value!r} is not another scene of this tour; {hint}use the id of one of: {scenes}", value=hotspot.to,
                    hint=did_you_mean(hotspot.to, others), scenes=", ".join(others) or "-")))
    return problems


def _plaque_problems(entry: SiteFile) -> list[Problem]:
    """Names that the plaque cannot print as written (every configured language's name is printed)."""
    problems = []
    for language, name in entry.site.name.items():
        path = ("name", language)
        problems += [Problem(entry.path, *entry.located.position(path), field_name(path), message)
                     for message in _unprintable(name)]
    return problems


def site_paths(folder: Path) -> list[Path]:
    """The site files in `folder`: *.yaml and *.yml, without the hidden and lock files editors keep
    beside them (Emacs' `.#x.yaml` is a link to nowhere, `#x.yaml#` its auto-save)."""
    found = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    return [path for path in found if not path.name.startswith((".", "#"))]


def _media_present(site: Site, media_root: Path) -> bool:
    """Whether the media a cached site names are still there (validation checked it when it ran)."""
    named = [image.file for image in site.images] + list(site.audio.values())
    return all((media_root / name).is_file() for name in named)


SITES_CACHE = "sites.pickle"


def load_guide(root: Path, digests: FileDigests | None = None, printed: Mapping[str, str] = {}) -> Guide:
    """Validate the whole project; raise GuideError listing every problem in every file. `printed`: the page
    (slug) each issued plaque id leads to, so a duplicate id is reported on the file that took it last.

    A file whose content, settings and generator are unchanged is not parsed again: its validated
    model comes from the cache (after checking that the media it names still exist)."""
    project = Project(root)
    settings, config = load_settings(project)
    store = Store(cache_root(root) / "load")
    digests = digests or FileDigests(store)
    context = Context(tuple(settings.languages), settings.default_language, project.media_dir,
                      tuple(settings.organisations))
    cached: dict[str, SiteFile] = store.get_object(SITES_CACHE) or {}
    current: dict[str, SiteFile] = {}
    files: list[SiteFile] = []
    problems: list[Problem] = []
    for path in site_paths(project.sites_dir):
        shown = project.show(path)
        try:
            size = path.stat().st_size
            if size > MAX_SITE_FILE_BYTES:  # refused before it is read, hashed or parsed
                problems.append(Problem(shown, 1, 1, "", too_large_message(size, MAX_SITE_FILE_BYTES)))
                continue
            digest = digests.of(path)
        except OSError as error:  # a folder named x.yaml, a link to nowhere, no permission
            problems.append(_unreadable(shown, error))
            continue
        entry_key = key("site", shown, digest, context)
        entry = cached.get(entry_key)
        if entry is None or not _media_present(entry.site, project.media_dir):
            try:
                located = load_yaml(path, max_bytes=MAX_SITE_FILE_BYTES, max_depth=MAX_NESTING)
            except YamlProblem as error:
                problems += _yaml_problems(shown, error)
                continue
            except OSError as error:
                problems.append(_unreadable(shown, error))
                continue
            site, found = _validate(Site, _slug_from_name(located, path), shown, {"guide": context})
            problems += found
            if site is None:
                continue
            found = _tour_problems(shown, site, located)
            if found:
                problems += found
                continue
            entry = SiteFile(shown, site, located, digest)
            unprintable = _plaque_problems(entry)
            if unprintable:  # reported on every run until fixed: such an entry is never cached
                problems += unprintable
                files.append(entry)
                continue
        current[entry_key] = entry
        files.append(entry)
    problems += _duplicates(files, "id", mark(
        "{value!r} is already the plaque id of {other}; every site needs its own. Keep it there, and give this file "
        "a free id: ./guide id {slug} prints one"), printed)
    problems += _duplicates(files, "slug", mark("{value!r} is already the page address of {other}; every site needs its own"))
    if current.keys() != cached.keys():
        store.put_object(SITES_CACHE, current)
    digests.save()
    if problems:
        raise GuideError(problems)
    if not files:
        raise GuideError(say("{folder}: no site files (*.yaml) found", folder=project.show(project.sites_dir)))
    return Guide(project, settings, config["site_url"].rstrip("/") + "/", config, tuple(files),
                 digests.of(project.config_file))
