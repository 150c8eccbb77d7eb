"""Print stage: which plaques to make, each drawn, rasterised and decoded once (cached by everything
that shapes it), on every core; the sheet imposed from them.

Returns where each published file lies in the cache, so the build links files instead of holding a
province's PDFs in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from ..cache import Store, content_digest, key
from ..i18n import without_marks
from ..messages import did_you_mean, mark, say
from ..problems import GuideError
from ..progress import Progress
from ..source.load import Guide, area_key
from ..source.model import Site
from ..web import addresses
from ..workers import in_volunteer_language, process_pool
from . import plaques, qr

T = TypeVar("T")
DEFAULT_PRESET = "a6"
DEFAULT_PAPER = "a4"
PLAQUE_FOLDER = "plaques"


@dataclass(frozen=True)
class PlaqueOptions:
    """What `build.py plaques` can choose; the default build uses the defaults."""

    size: str = DEFAULT_PRESET
    paper: str = DEFAULT_PAPER
    bleed: float = 3.0
    level: str = "Q"
    only: tuple[str, ...] = ()  # plaque ids or slugs; empty = all sites
    logo: Path | None = None  # placed over the code's centre; switches error correction to H
    organisation: str | None = None  # only the sites this organisation looks after (its key or any of its names)
    area: str | None = None  # only the sites of this area (its name in any language, with or without tones)
    engrave: bool = False  # one colour, text as outlines, no bleed (SVG and PDF), for etching or laser engraving

    def style(self) -> plaques.CodeStyle:
        if self.logo is None:
            return plaques.CodeStyle(self.level)
        return plaques.CodeStyle("H", self.logo.read_bytes())


def fold(text: str) -> str:
    """A name as people type it on a phone: no tones, no case, single spaces (Quảng Yên = quang yen)."""
    return " ".join(without_marks(text).casefold().split())


def _find(kind: str, typed: str, names: dict[str, str], known: list[str]) -> str:
    """The value `typed` names among `names` (folded name → value), else an error listing `known`, with the
    closest as "did you mean"."""
    found = names.get(fold(typed))
    if found is not None:
        return found
    raise GuideError(say("no {kind} is called {typed!r}; {hint}use one of: {known}", kind=say(kind), typed=typed,
                         hint=did_you_mean(fold(typed), names, cutoff=0.5), known=", ".join(known)))


def find_organisation(guide: Guide, typed: str) -> str:
    """The key of the organisation `typed` names: its key, short name or full name in any language."""
    organisations = guide.settings.organisations
    names = {fold(name): code for code, organisation in organisations.items()
             for name in (code, organisation.short, *organisation.name.values())}
    known = [f"{code} ({organisation.short})" for code, organisation in organisations.items()]
    return _find(mark("organisation"), typed, names, known)


def find_area(guide: Guide, typed: str) -> str:
    """The area `typed` names (in any language, with or without tones), as sites write it in the default language."""
    names = {fold(name): site.area[guide.default_language] for site in guide.sites for name in site.area.values()}
    return _find(mark("area"), typed, names, sorted(set(names.values())))


def select_sites(guide: Guide, options: PlaqueOptions) -> list[Site]:
    """The sites whose plaques a print run makes: every filter given narrows the choice."""
    chosen = list(guide.sites)
    if options.only:
        chosen = [site for site in chosen if site.id in options.only or site.slug in options.only]
        unknown = set(options.only) - {site.id for site in chosen} - {site.slug for site in chosen}
        if unknown:
            raise GuideError(say("no site has the id or slug {names}", names=", ".join(sorted(unknown))))
    if options.organisation:
        organisation = find_organisation(guide, options.organisation)
        chosen = [site for site in chosen if guide.organisation_of(site) == organisation]
    if options.area:
        area = area_key(find_area(guide, options.area))
        chosen = [site for site in chosen if area_key(site.area[guide.default_language]) == area]
    if not chosen:
        raise GuideError(say("no site matches all of the choices given; leave one out to print more"))
    return chosen


# The files of one cached plaque, by suffix of its key (the manifest, last, marks the entry whole), and the
# name each is published under in the plaque's folder ({size}: the preset's name).
PLAQUE_PARTS = {"pdf": ".pdf", "png": ".png", "qr.svg": "-qr.svg", "qr.png": "-qr.png", "meta": ".json"}
PLAQUE_FILES = {"qr.svg": "qr.svg", "qr.png": "qr.png", "pdf": "plaque-{size}.pdf", "png": "plaque-{size}.png"}
ENGRAVING_PARTS = {"pdf": ".pdf", "svg": ".svg", "png": ".png", "meta": ".json"}
ENGRAVING_FILES = {"pdf": "engraving-{size}.pdf", "svg": "engraving-{size}.svg", "png": "engraving-{size}.png"}


def _render_plaque(job: tuple[plaques.PlaqueText, plaques.Preset, plaques.CodeStyle, bool]) -> dict[str, bytes]:
    """One plaque's files, its code proven to read back; a top-level function for worker processes."""
    text, preset, style, engrave = job
    symbol = qr.make_symbol(text.url, style.level)
    if qr.decode(qr.to_image(symbol)) != [text.url]:
        raise plaques.NotScannable(say("the QR code of {id} does not read back as {url}", id=text.plaque_id, url=text.url))
    meta = json.dumps({"modules": symbol.size}).encode()
    if engrave:
        engraved = plaques.render_engraving(text, preset, style)
        return {"pdf": engraved.pdf, "svg": engraved.svg, "png": engraved.png(), "meta": meta}
    rendered = plaques.render_plaque(text, preset, style)
    return {"pdf": rendered.pdf, "png": rendered.png(), "qr.svg": qr.write(symbol, "svg"), "qr.png": qr.write(symbol, "png"),
            "meta": meta}


def _render_sheet(job: tuple) -> dict[str, bytes]:
    rendered = plaques.render_sheet(*job)
    return {"pdf": rendered.pdf, "png": rendered.png()}


SHEET_PARTS = {"pdf": ".pdf", "png": ".png"}
STAGE = mark("plaques")


def _render_missing(plaque_jobs: dict[str, tuple], parts: dict[str, str], sheet_jobs: dict[str, tuple], store: Store,
                    progress: Progress) -> None:
    """Render the plaques and sheets missing from the cache on every core, storing each as it arrives (the
    sheets are submitted first: they are the longest jobs)."""
    if not plaque_jobs and not sheet_jobs:
        return
    with process_pool() as pool:
        sheets = {entry: pool.submit(in_volunteer_language(_render_sheet), job) for entry, job in sheet_jobs.items()}
        rendered = pool.map(in_volunteer_language(_render_plaque), plaque_jobs.values(), chunksize=4)
        for entry, files in zip(plaque_jobs, rendered, strict=True):
            for part, suffix in parts.items():  # the manifest (last) marks the entry whole
                store.put_bytes(entry + suffix, files[part])
            progress.advance(say(STAGE))
        for entry, sheet in sheets.items():
            for part, suffix in SHEET_PARTS.items():
                store.put_bytes(entry + suffix, sheet.result()[part])
            progress.advance(say(STAGE))


@dataclass(frozen=True)
class PlaquePlan:
    """The plaques and sheets a print run makes, each named by the key of what shapes it: one sheet for each
    organisation, so each union prints its own."""

    texts: tuple[plaques.PlaqueText, ...]
    preset: plaques.Preset
    options: PlaqueOptions
    entries: dict[str, str]  # plaque id → cache key
    sheets: dict[str, tuple[str, tuple[str, ...]]]  # file name (without suffix) → (cache key, plaque ids)


# Host names that are never anyone's real address (RFC 2606 and RFC 6761), and the computer's own.
PLACEHOLDER_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")
PLACEHOLDER_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def placeholder_host(guide: Guide) -> str | None:
    """The plaques' host when it is a placeholder (heritage.example.vn, localhost), else None: such a plaque
    would lead nowhere once bolted to a wall."""
    host = (urlsplit(addresses.plaque_url(guide, "X")).hostname or "").lower()
    placeholder = "example" in host.split(".") or host.endswith(PLACEHOLDER_SUFFIXES) or host in PLACEHOLDER_HOSTS
    return host if placeholder else None


def sample_warnings(guide: Guide, sites: Sequence[Site]) -> list[str]:
    """Why plaques come out marked as samples, and where to change it."""
    found = []
    host = placeholder_host(guide)
    if host:
        found.append(say("the plaques are marked SAMPLE: their address ({host}) is a placeholder; before printing, set "
                         "the guide's real address as site_url and extra.guide.plaque_base in mkdocs.yml (handbook: "
                         "\"Before the first print\")", host=host))
    orphans = [site.id for site in sites if guide.organisation_of(site) is None]
    if orphans:
        found.append(say("the plaques of {ids} are marked SAMPLE: no organisation looks after these sites; write "
                         "'organisation: KEY' in their site files, or add their area to an organisation's 'areas' in "
                         "mkdocs.yml (extra.guide.organisations)", ids=", ".join(orphans)))
    return found


def sheet_name(organisation: str | None, preset: plaques.Preset, paper: str) -> str:
    """`sheet-ka-long-a6-on-a4`; `sheet-a6-on-a4` for the sites of no organisation."""
    return "-".join(["sheet", *([organisation] if organisation else []), preset.name, "on", paper])


def plan_plaques(guide: Guide, options: PlaqueOptions) -> PlaquePlan:
    preset = plaques.parse_size(options.size)
    style = options.style()
    style_key = (style.level, style.logo and content_digest(style.logo))
    texts: list[plaques.PlaqueText] = []
    groups: dict[str | None, list[plaques.PlaqueText]] = {}
    logos: dict[str | None, bytes | None] = {}
    placeholder = placeholder_host(guide) is not None
    for site in select_sites(guide, options):
        organisation = guide.organisation_of(site)
        if organisation not in logos:
            logo = guide.settings.organisations[organisation].logo if organisation else None
            logos[organisation] = (guide.project.media_dir / logo).read_bytes() if logo else None
        text = plaques.plaque_text(addresses.plaque_url(guide, site.id), site.id, site.name, guide.languages,
                                   guide.organisation_name(organisation, guide.default_language), logos[organisation],
                                   tuple(site.audio), sample=placeholder or organisation is None)
        texts.append(text)
        groups.setdefault(organisation, []).append(text)
    entries = {text.plaque_id: key("plaque", plaques.PIPELINE, text, preset, style_key, options.engrave) for text in texts}
    if options.engrave:  # engraved one plate at a time: no sheet to cut
        groups = {}
    sheets = {sheet_name(organisation, preset, options.paper):
              (key("sheet", plaques.PIPELINE, group, preset, options.paper, options.bleed, style_key),
               tuple(text.plaque_id for text in group))
              for organisation, group in sorted(groups.items(), key=lambda item: item[0] or "")}
    return PlaquePlan(tuple(texts), preset, options, entries, sheets)


def plaque_files(plan: PlaquePlan, store: Store, progress: Progress) -> tuple[dict[str, Path], list[str]]:
    """QR codes (SVG, PNG), one plaque per site (PDF, PNG preview) and a sheet per organisation, as
    {output path: cache file}, rendering what the cache lacks; with size warnings."""
    preset, options, style = plan.preset, plan.options, plan.options.style()
    by_id = {text.plaque_id: text for text in plan.texts}
    parts, names = (ENGRAVING_PARTS, ENGRAVING_FILES) if options.engrave else (PLAQUE_PARTS, PLAQUE_FILES)
    missing = {plan.entries[text.plaque_id]: (text, preset, style, options.engrave) for text in plan.texts
               if not store.has(plan.entries[text.plaque_id] + parts["meta"])}
    sheet_jobs = {entry: ([by_id[plaque] for plaque in ids], preset, options.paper, options.bleed, style)
                  for entry, ids in plan.sheets.values() if not store.has(entry + SHEET_PARTS["png"])}
    progress.stage(say(STAGE), len(plan.texts) + len(plan.sheets))
    progress.advance(say(STAGE), len(plan.texts) - len(missing) + len(plan.sheets) - len(sheet_jobs))
    _render_missing(missing, parts, sheet_jobs, store, progress)
    progress.end(say(STAGE))
    files: dict[str, Path] = {}
    warnings: set[str] = set()
    for plaque_id, entry in plan.entries.items():
        for part, name in names.items():
            files[f"{PLAQUE_FOLDER}/{plaque_id}/{name.format(size=preset.name)}"] = store.path(entry + parts[part])
        modules = json.loads(store.path(entry + parts["meta"]).read_text())["modules"]
        warnings.update(plaques.size_warnings(preset, modules))
    for name, (entry, _ids) in plan.sheets.items():
        files.update({f"{PLAQUE_FOLDER}/{name}.{part}": store.path(entry + suffix) for part, suffix in SHEET_PARTS.items()})
    return files, sorted(warnings)


def checked(step: Callable[[], T]) -> T:
    """A print step, with a missing font, a bad option or an unreadable code as a clear error."""
    try:
        return step()
    except (plaques.FontMissing, plaques.NotScannable, ValueError, OSError) as error:
        raise GuideError(f"plaques: {error}") from None
