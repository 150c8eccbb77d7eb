"""Print stage: which plaques to make, each drawn, rasterised and decoded once (cached by everything
that shapes it), on every core; the sheet imposed from them.

Returns where each published file lies in the cache, so the build links files instead of holding a
province's PDFs in memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from . import addresses, plaques, qr
from .cache import Store, content_digest, key
from .load import Guide
from .messages import mark, say
from .problems import GuideError
from .progress import Progress
from .workers import in_volunteer_language, process_pool

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

    def style(self) -> plaques.CodeStyle:
        if self.logo is None:
            return plaques.CodeStyle(self.level)
        return plaques.CodeStyle("H", self.logo.read_bytes())


def select_sites(guide: Guide, only: tuple[str, ...]) -> list:
    if not only:
        return list(guide.sites)
    chosen = [site for site in guide.sites if site.id in only or site.slug in only]
    unknown = set(only) - {site.id for site in chosen} - {site.slug for site in chosen}
    if unknown:
        raise GuideError(say("no site has the id or slug {names}", names=", ".join(sorted(unknown))))
    return chosen


# The files of one cached plaque, by suffix of its key.
PLAQUE_PARTS = {"pdf": ".pdf", "png": ".png", "qr.svg": "-qr.svg", "qr.png": "-qr.png", "meta": ".json"}


def _render_plaque(job: tuple[plaques.PlaqueText, plaques.Preset, plaques.CodeStyle]) -> dict[str, bytes]:
    """One plaque's files, its code proven to read back; a top-level function for worker processes."""
    text, preset, style = job
    symbol = qr.make_symbol(text.url, style.level)
    if qr.decode(qr.to_image(symbol)) != [text.url]:
        raise plaques.NotScannable(say("the QR code of {id} does not read back as {url}", id=text.plaque_id, url=text.url))
    rendered = plaques.render_plaque(text, preset, style)
    return {"pdf": rendered.pdf, "png": rendered.png(), "qr.svg": qr.write(symbol, "svg"), "qr.png": qr.write(symbol, "png"),
            "meta": json.dumps({"modules": symbol.size}).encode()}


def _render_sheet(job: tuple) -> dict[str, bytes]:
    rendered = plaques.render_sheet(*job)
    return {"pdf": rendered.pdf, "png": rendered.png()}


SHEET_PARTS = {"pdf": ".pdf", "png": ".png"}
STAGE = mark("plaques")


def _render_missing(plaque_jobs: dict[str, tuple], sheet_job: tuple[str, tuple] | None, store: Store,
                    progress: Progress) -> None:
    """Render the plaques and the sheet missing from the cache on every core, storing each as it
    arrives (the sheet first: it is the longest job)."""
    if not plaque_jobs and not sheet_job:
        return
    with process_pool() as pool:
        sheet = pool.submit(in_volunteer_language(_render_sheet), sheet_job[1]) if sheet_job else None
        rendered = pool.map(in_volunteer_language(_render_plaque), plaque_jobs.values(), chunksize=4)
        for entry, files in zip(plaque_jobs, rendered, strict=True):
            for part, suffix in PLAQUE_PARTS.items():  # the manifest (last) marks the entry whole
                store.put_bytes(entry + suffix, files[part])
            progress.advance(say(STAGE))
        if sheet and sheet_job:
            for part, suffix in SHEET_PARTS.items():
                store.put_bytes(sheet_job[0] + suffix, sheet.result()[part])
            progress.advance(say(STAGE))


@dataclass(frozen=True)
class PlaquePlan:
    """The plaques and the sheet a print run makes, each named by the key of what shapes it."""

    texts: tuple[plaques.PlaqueText, ...]
    preset: plaques.Preset
    options: PlaqueOptions
    entries: dict[str, str]  # plaque id → cache key
    sheet: str  # cache key


def plan_plaques(guide: Guide, options: PlaqueOptions) -> PlaquePlan:
    preset = plaques.parse_size(options.size)
    style = options.style()
    organisation = guide.settings.organisation.get(guide.default_language, "")
    texts = tuple(plaques.plaque_text(addresses.plaque_url(guide, site.id), site.id, site.name, guide.languages, organisation)
                  for site in select_sites(guide, options.only))
    style_key = (style.level, style.logo and content_digest(style.logo))
    entries = {text.plaque_id: key("plaque", plaques.PIPELINE, text, preset, style_key) for text in texts}
    sheet = key("sheet", plaques.PIPELINE, texts, preset, options.paper, options.bleed, style_key)
    return PlaquePlan(texts, preset, options, entries, sheet)


def plaque_files(plan: PlaquePlan, store: Store, progress: Progress) -> tuple[dict[str, Path], list[str]]:
    """QR codes (SVG, PNG), one plaque per site (PDF, PNG preview) and a sheet, as {output path: cache
    file}, rendering what the cache lacks; with size warnings."""
    preset, options, style = plan.preset, plan.options, plan.options.style()
    missing = {plan.entries[text.plaque_id]: (text, preset, style) for text in plan.texts
               if not store.has(plan.entries[text.plaque_id] + PLAQUE_PARTS["meta"])}
    sheet_job = None if store.has(plan.sheet + SHEET_PARTS["png"]) else \
        (plan.sheet, (list(plan.texts), preset, options.paper, options.bleed, style))
    progress.stage(say(STAGE), len(plan.texts) + 1)
    progress.advance(say(STAGE), len(plan.texts) - len(missing) + (sheet_job is None))
    _render_missing(missing, sheet_job, store, progress)
    progress.end(say(STAGE))
    files: dict[str, Path] = {}
    warnings: set[str] = set()
    for plaque_id, entry in plan.entries.items():
        folder = f"{PLAQUE_FOLDER}/{plaque_id}"
        for part, name in (("qr.svg", "qr.svg"), ("qr.png", "qr.png"), ("pdf", f"plaque-{preset.name}.pdf"),
                           ("png", f"plaque-{preset.name}.png")):
            files[f"{folder}/{name}"] = store.path(entry + PLAQUE_PARTS[part])
        modules = json.loads(store.path(entry + PLAQUE_PARTS["meta"]).read_text())["modules"]
        warnings.update(plaques.size_warnings(preset, modules))
    name = f"{PLAQUE_FOLDER}/sheet-{preset.name}-on-{options.paper}"
    files.update({f"{name}.{part}": store.path(plan.sheet + suffix) for part, suffix in SHEET_PARTS.items()})
    return files, sorted(warnings)


def checked(step: Callable[[], T]) -> T:
    """A print step, with a missing font, a bad option or an unreadable code as a clear error."""
    try:
        return step()
    except (plaques.FontMissing, plaques.NotScannable, ValueError, OSError) as error:
        raise GuideError(f"plaques: {error}") from None
