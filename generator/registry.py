"""The plaque registry (plaques.yaml): every plaque id ever issued and every page address it had.

It is append-only: the build adds a line for a new id or a changed slug and never rewrites what is
there, so comments and history stay. An issued id whose site disappeared stops the build until the
registry retires it to another site, because a printed plaque must never lead to a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError, model_validator

from .load import Guide, problems_from
from .messages import say
from .model import PlaqueId, Slug, Strict
from .problems import GuideError, Problem
from .yamlsource import YamlProblem, load_yaml

HEADER = """\
# Plaque registry: every plaque id ever printed and the page addresses it has led to.
# `python build.py` appends a line when a site is added or its slug changes. Never delete a line:
# printed plaques depend on it. To retire the plaque of a site that was removed, add a line such as
#   - {id: OLD123, retired: 2027-01-31, to: KL1368}      # `to`: the plaque id of the site it should open now
"""


class Entry(Strict):
    id: PlaqueId
    slug: Slug | None = None
    issued: datetime.date | None = None
    retired: datetime.date | None = None
    to: PlaqueId | None = None

    @model_validator(mode="after")
    def _complete(self) -> Entry:
        if not ((self.slug and self.issued) or (self.retired and self.to)):
            raise ValueError(say("a line needs either 'slug' and 'issued', or 'retired' and 'to'"))
        return self


@dataclass(frozen=True)
class Registry:
    path: str
    entries: tuple[Entry, ...]
    lines: tuple[int, ...]  # line of each entry, for messages

    @cached_property
    def _by_id(self) -> dict[str, list[tuple[Entry, int]]]:
        """Lines of each id, in file order: asked for every site, so not a scan of the file each time."""
        found: dict[str, list[tuple[Entry, int]]] = {}
        for entry, line in zip(self.entries, self.lines, strict=True):
            found.setdefault(entry.id, []).append((entry, line))
        return found

    def slugs(self, plaque_id: str) -> list[str]:
        return [e.slug for e, _line in self._by_id.get(plaque_id, []) if e.slug]

    def retirement(self, plaque_id: str) -> tuple[Entry, int] | None:
        found = [(e, line) for e, line in self._by_id.get(plaque_id, []) if e.retired]
        return found[-1] if found else None

    def issued(self) -> dict[str, tuple[Entry, int]]:
        """First issue of each id, in file order."""
        first: dict[str, tuple[Entry, int]] = {}
        for entry, line in zip(self.entries, self.lines, strict=True):
            if entry.slug:
                first.setdefault(entry.id, (entry, line))
        return first


def load_registry(guide: Guide) -> Registry:
    project = guide.project
    shown = project.show(project.registry_file)
    if not project.registry_file.exists():
        return Registry(shown, (), ())
    try:
        located = load_yaml(project.registry_file)
    except YamlProblem as error:
        raise GuideError([Problem(shown, error.line, error.column, "", error.message)]) from None
    data = located.data if located.data is not None else []
    if not isinstance(data, list):
        raise GuideError([Problem(shown, 1, 1, "", say("expected a list of '- {{id: ..., ...}}' lines"))])
    entries, lines, problems = [], [], []
    for index, item in enumerate(data):
        try:
            entries.append(Entry.model_validate(item))
            lines.append(located.position((index,))[0])
        except ValidationError as error:  # positions only for a line that is wrong: cutting them out scans the file
            problems += [Problem(p.file, p.line, p.column, f"[{index}].{p.field}".rstrip("."), p.message)
                         for p in problems_from(error, shown, located.subtree((index,)), Entry)]
    if problems:
        raise GuideError(problems)
    return Registry(shown, tuple(entries), tuple(lines))


def check(guide: Guide, registry: Registry) -> list[Problem]:
    """Every issued id must still open a page: it belongs to a site, or it is retired to one."""
    current = {site.id for site in guide.sites}
    problems = []
    for entry in guide.files:
        retired = registry.retirement(entry.site.id)
        if retired:
            line, column = entry.located.position(("id",))
            problems.append(Problem(entry.path, line, column, "id", say(
                "plaque id {id} was retired on {date} and its printed plaques now open {to}; a site cannot take "
                "a retired id. Give this site a new id (python build.py new suggests free ones)",
                id=entry.site.id, date=retired[0].retired, to=retired[0].to,
            )))
    for plaque_id, (entry, line) in registry.issued().items():
        if plaque_id in current:
            continue
        retired = registry.retirement(plaque_id)
        if retired is None:
            problems.append(Problem(registry.path, line, 3, "id", say(
                "plaque {id} was issued on {issued} for the page '{slug}', but no file in sites/ has 'id: {id}' now, "
                "so printed plaques would lead nowhere. If the id was changed or the file removed by mistake, put it "
                "back; if the site is gone, retire the plaque by adding "
                "'- {{id: {id}, retired: {today}, to: OTHER_ID}}' to {registry}",
                id=plaque_id, issued=entry.issued, slug=entry.slug, today=datetime.date.today(), registry=registry.path,
            )))
        elif retired[0].to not in current:
            problems.append(Problem(registry.path, retired[1], 3, "to", say(
                "plaque {id} is retired to {to!r}, which is not the id of any site; use the id of an existing site",
                id=plaque_id, to=retired[0].to,
            )))
    return problems


def reused_addresses(guide: Guide, registry: Registry) -> list[str]:
    """Warnings for a current page address that another plaque's site had before: old links and
    bookmarks to it now open a different site. Allowed (the current page wins), but worth knowing."""
    current = {site.slug: site.id for site in guide.sites}
    found = {
        (entry.slug, entry.id, current[entry.slug]) for entry in registry.entries
        if entry.slug in current and current[entry.slug] != entry.id
    }
    return [say("the page address '{slug}' belonged to plaque {old} before; old links to it now open the site of {new}",
                slug=slug, old=old, new=new) for slug, old, new in sorted(found)]


def additions(guide: Guide, registry: Registry, today: datetime.date) -> list[str]:
    """Registry lines for ids not yet issued and for sites whose slug changed."""
    lines = []
    for site in guide.sites:
        slugs = registry.slugs(site.id)
        if not slugs or slugs[-1] != site.slug:
            lines.append(f"- {{id: {site.id}, slug: {site.slug}, issued: {today.isoformat()}}}")
    return lines


def append(path: Path, lines: list[str]) -> None:
    """Add lines at the end, never touching what is there."""
    if not lines:
        return
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Forwarding:
    """Old addresses and where they lead now (slugs of current sites)."""

    old_slugs: dict[str, str]  # old slug → current slug
    retired_plaques: dict[str, str]  # retired plaque id → current slug


def forwarding(guide: Guide, registry: Registry) -> Forwarding:
    by_id = {site.id: site for site in guide.sites}
    in_use = {site.slug for site in guide.sites}
    old: dict[str, str] = {}
    retired: dict[str, str] = {}
    for plaque_id in dict.fromkeys(entry.id for entry in registry.entries):
        if plaque_id in by_id:
            target = by_id[plaque_id].slug
        else:
            retirement = registry.retirement(plaque_id)
            if retirement is None or retirement[0].to not in by_id:
                continue
            target = by_id[retirement[0].to].slug
            retired[plaque_id] = target
        for slug in registry.slugs(plaque_id):
            if slug not in in_use:  # a current page always wins over an old address
                old[slug] = target
    return Forwarding(old, retired)
