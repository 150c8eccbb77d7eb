"""The plaque registry (plaques.yaml): every plaque id ever issued and every page address it had.

It is append-only: the build adds a line for a new id or a changed slug and never rewrites what is
there, so comments and history stay. An issued id whose site disappeared stops the build until the
registry retires it to another site, because a printed plaque must never lead to a 404.

History cannot be lost: every built site carries a snapshot of the registry lines it was built with
and of the place each plaque opened (`SNAPSHOT_FILE`). The next build refuses a registry that lacks any
of those lines, and an id that moved to a new page of what looks like a different place (another file
and name, or far away) until the registry says so. The publishing workflow runs the same check against
the guide as it was before the change (`build.py check --before FOLDER`).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pydantic import ValidationError, model_validator

from ..messages import say
from ..problems import GuideError, Problem
from .load import Guide, Project, SiteFile, load_guide, problems_from
from .model import ID_PATTERN, PlaqueId, Slug, Strict
from .yamlsource import YamlProblem, load_yaml

SNAPSHOT_FILE = ".guide-registry.json"  # in a built site: the registry lines and plaque places it was built with
SAME_PLACE_KM = 1.0  # a page address may change; the place a printed plaque stands at does not move this far

HEADER = """\
# Sổ biển QR / Plaque registry. Công cụ tự ghi tệp này; hãy giữ nó cùng thay đổi của bạn (gửi kèm tệp di tích).
# The tool keeps this file; keep it with your change (send it along with the site file).
# Mỗi dòng: một mã biển đã in và địa chỉ trang nó dẫn tới. Không bao giờ xoá dòng nào: biển đã in cần nó.
# Each line: a printed plaque id and the page it leads to. Never delete a line: printed plaques depend on it.
# Di tích bị xoá thì chuyển biển của nó sang di tích khác bằng một dòng như / To retire a removed site's plaque:
#   - {id: OLD123, retired: 2027-01-31, to: KL1368}      # `to`: mã biển của di tích biển cũ sẽ mở / the id it opens now
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


def entry_line(entry: Entry) -> str:
    """The line as the build writes it: the same entry always reads the same, however it was typed."""
    fields = [f"{name}: {value}" for name in ("id", "slug", "issued", "retired", "to")
              if (value := getattr(entry, name)) is not None]
    return "- {" + ", ".join(fields) + "}"


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

    def printed_pages(self) -> dict[str, str]:
        """The page each issued id leads to now (its last slug)."""
        return {plaque_id: self.slugs(plaque_id)[-1] for plaque_id in self.issued()}

    def page_line(self, plaque_id: str) -> int:
        """The line that gave `plaque_id` its current page."""
        return next(line for entry, line in reversed(self._by_id[plaque_id]) if entry.slug)

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
    return read_registry(guide.project)


def read_registry(project: Project) -> Registry:
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


def _moved(guide: Guide, registry: Registry, before: Snapshot | None) -> tuple[list[Problem], set[str]]:
    """Issued ids that left the page they were printed for while that page is still here: changed in its file, or
    given to another file. Either way the plaques on the wall would open another place (or nothing), so it is
    refused, with the ways out. A file that took the id and is, by the last build, the same place under a new
    address (a page renamed, its old address given to a new site) is not refused. Returns the problems and the ids."""
    by_slug = {entry.site.slug: entry for entry in guide.files}
    holders = {entry.site.id: entry for entry in guide.files}
    today = datetime.date.today()
    problems, moved = [], set()
    for plaque_id in registry.issued():
        slugs = registry.slugs(plaque_id)
        page, holder = by_slug.get(slugs[-1]), holders.get(plaque_id)
        if (registry.retirement(plaque_id) or page is None or page.site.id == plaque_id
                or (holder is not None and holder.site.slug in slugs)):  # still on a page it was issued for
            continue
        place = before.places.get(plaque_id) if before else None
        if holder is not None and place is not None and same_place(guide, place, holder):
            continue  # renamed: the build records its new address
        moved.add(plaque_id)
        line = registry.page_line(plaque_id)
        if holder is not None:
            problems.append(Problem(holder.path, *holder.located.position(("id",)), "id", say(
                "plaque {id} was printed for the page '{slug}', which {page} now holds with 'id: {new}'; with this file "
                "taking {id}, the plaques on the wall would open this site. Where do they stand? At '{slug}': write "
                "'id: {id}' back in {page}, and give this site an id of its own (./guide id {own_slug}). At this site, "
                "whose page address changed: say so by adding '- {{id: {id}, slug: {own_slug}, issued: {today}}}' to "
                "{registry}",
                id=plaque_id, slug=page.site.slug, page=page.path, new=page.site.id, own_slug=holder.site.slug,
                today=today, registry=registry.path)))
            continue
        problems.append(Problem(page.path, *page.located.position(("id",)), "id", say(
            "this page's printed plaques carry the id {id} ({registry}:{line}), and an issued id never changes: write "
            "'id: {id}' again. If this site really must have the new id, keep the printed plaques working by adding "
            "'- {{id: {id}, retired: {today}, to: {new}}}' to {registry}",
            id=plaque_id, registry=registry.path, line=line, today=today, new=page.site.id)))
    return problems, moved


def check(guide: Guide, registry: Registry) -> list[Problem]:
    """Every issued id must still open a page: it belongs to a site, or it is retired to one; and it stays with
    the page it was printed for."""
    current = {site.id for site in guide.sites}
    output = guide.project.output_dir
    before = read_snapshot(output, say("the guide last built into {folder}/", folder=guide.project.show(output)))
    problems, moved = _moved(guide, registry, before)
    for entry in guide.files:
        retired = registry.retirement(entry.site.id)
        if retired:
            line, column = entry.located.position(("id",))
            problems.append(Problem(entry.path, line, column, "id", say(
                "plaque id {id} was retired on {date} and its printed plaques now open {to}; a site cannot take "
                "a retired id. Give this site a new id (./guide new suggests free ones)",
                id=entry.site.id, date=retired[0].retired, to=retired[0].to,
            )))
    for plaque_id, (entry, line) in registry.issued().items():
        if plaque_id in current or plaque_id in moved:
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
    if before is not None:
        problems += history(guide, registry, before)
    return problems


@dataclass(frozen=True)
class Place:
    """Where a plaque led when a guide was built: enough to tell a page that was renamed from another site."""

    slug: str
    file: str
    name: str  # in the default language
    lat: float
    lon: float


@dataclass(frozen=True)
class Snapshot:
    """The registry lines and the place of each issued plaque of a guide built or published before."""

    source: str  # how messages name it
    lines: frozenset[str]
    places: dict[str, Place]


def snapshot(guide: Guide, registry: Registry, source: str = "") -> Snapshot:
    issued = {entry.id for entry in registry.entries}
    places = {entry.site.id: Place(entry.site.slug, entry.path, entry.site.name[guide.default_language],
                                   entry.site.location.lat, entry.site.location.lon)
              for entry in guide.files if entry.site.id in issued}  # never a preview's half-typed new id
    return Snapshot(source, frozenset(map(entry_line, registry.entries)), places)


def write_snapshot(guide: Guide, folder: Path) -> None:
    """Record in a folder being built what later builds must not lose."""
    taken = snapshot(guide, load_registry(guide))
    record = {"lines": sorted(taken.lines), "places": {plaque_id: vars(place) for plaque_id, place in taken.places.items()}}
    (folder / SNAPSHOT_FILE).write_text(json.dumps(record, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def read_snapshot(folder: Path, source: str) -> Snapshot | None:
    """The snapshot a build left in `folder`; None when there is none (nothing built yet, or written by an
    older generator): there is then nothing to compare with."""
    try:
        record = json.loads((folder / SNAPSHOT_FILE).read_text(encoding="utf-8"))
        lines = frozenset(str(line) for line in record["lines"])
        places = {str(plaque_id): Place(**place) for plaque_id, place in record["places"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return Snapshot(source, lines, places)


def project_snapshot(root: Path) -> Snapshot:
    """The snapshot of another copy of the guide, e.g. a checkout of `main` as last published. Its
    registry must be readable; when its site files no longer validate (rules grow stricter), only the
    registry lines are compared."""
    source = str(root)
    registry = read_registry(Project(root))
    try:
        guide = load_guide(root)
    except GuideError:
        return Snapshot(source, frozenset(map(entry_line, registry.entries)), {})
    return snapshot(guide, registry, source)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2, dp, dl = map(math.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def same_place(guide: Guide, place: Place, entry: SiteFile) -> bool:
    """Whether a site file is plainly the place a plaque led to: the same file or the same name, and close by."""
    site = entry.site
    near = _km(place.lat, place.lon, site.location.lat, site.location.lon) <= SAME_PLACE_KM
    return near and (entry.path == place.file or site.name[guide.default_language] == place.name)


def history(guide: Guide, registry: Registry, before: Snapshot, today: datetime.date | None = None) -> list[Problem]:
    """What `registry` and the sites lost or moved since `before`: every line it had must still be there,
    and an issued id may move to a page address the registry does not list yet only when it is plainly
    the same place (the same file or the same name, and at most SAME_PLACE_KM away)."""
    today = today or datetime.date.today()
    problems = []
    lost = sorted(before.lines - {entry_line(entry) for entry in registry.entries})
    if lost:
        problems.append(Problem(registry.path, 0, 0, "", say(
            "{count} line(s) that {source} was built with are missing; printed plaques depend on every line, "
            "so no line is ever deleted (to correct one, add the corrected line at the end: the last line of an "
            "id counts). Put these back ('git diff {registry}' shows what was removed):\n{lines}",
            count=len(lost), source=before.source, registry=registry.path, lines="\n".join(lost),
        )))
    for entry in guide.files:
        site, place = entry.site, before.places.get(entry.site.id)
        if place is None or site.slug in registry.slugs(site.id):
            continue
        if same_place(guide, place, entry):
            continue  # a page renamed: the build records its new address
        km = _km(place.lat, place.lon, site.location.lat, site.location.lon)
        line, column = entry.located.position(("id",))
        problems.append(Problem(entry.path, line, column, "id", say(
            "plaque {id} was printed for '{old_name}' ({old_file}, page '{old_slug}'), but this file gives it to "
            "'{name}' (page '{slug}'), {km:.1f} km away: the printed plaques would open another place. Give this "
            "site a new id (./guide new suggests free ones) and, if the old site is gone, retire its "
            "plaque with '- {{id: {id}, retired: {today}, to: NEW_ID}}' in {registry}. If it really is the same "
            "place under a new address, say so by adding '- {{id: {id}, slug: {slug}, issued: {today}}}' to {registry}",
            id=site.id, old_name=place.name, old_file=place.file, old_slug=place.slug,
            name=site.name[guide.default_language], slug=site.slug, km=km, today=today, registry=registry.path,
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
    """Add lines at the end, never touching what is there (not even its line endings). The file is
    replaced whole, by a rename: a build killed at any moment leaves the old file or the new one (and
    a replacement it did not finish, removed here by the next build)."""
    temporary = path.with_name(f".{path.name}.new")  # one build of a project at a time: one name will do
    temporary.unlink(missing_ok=True)
    if not lines:
        return
    text = path.read_bytes() if path.exists() else HEADER.encode("utf-8")
    newline = b"\r\n" if b"\r\n" in text else b"\n"
    if text and not text.endswith(b"\n"):
        text += newline
    try:
        with open(temporary, "wb") as handle:
            if path.exists():
                os.chmod(handle.fileno(), stat.S_IMODE(path.stat().st_mode))
            handle.write(text + newline.join(line.encode("utf-8") for line in lines) + newline)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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


def used_ids(project: Project) -> set[str]:
    """Every id in a site file or ever issued, read leniently (files may be half-written)."""
    found = issued_ids(project)
    for path in project.sites_dir.glob("*.y*ml"):
        found.update(re.findall(r"^id:\s*['\"]?([A-Za-z0-9]+)", path.read_text(encoding="utf-8", errors="replace"), re.M))
    return found


def issued_ids(project: Project) -> set[str]:
    """Every id the registry ever issued, retired ones too, read leniently."""
    if not project.registry_file.exists():
        return set()
    return set(re.findall(r"\bid:\s*([A-Z0-9]+)", project.registry_file.read_text(encoding="utf-8")))


def fresh_id(slug: str, taken: set[str]) -> str:
    """Initials of the slug's words and a number: den-tran-hung-dao → DTHD01, unique among all ids."""
    initials = "".join(word[0] for word in slug.split("-") if word).upper()[:8] or "S"
    for number in range(1, 10_000):
        candidate = f"{initials}{number:02d}"[:12]
        if candidate not in taken and ID_PATTERN.fullmatch(candidate):
            return candidate
    raise GuideError(say("no free plaque id for {slug}", slug=slug))
