"""The build, end to end: load → validate → render → write into a fresh folder → swap into place.

The previous `site/` is replaced only after everything succeeded, so a mistake in one file never
leaves a half-written or missing site behind.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import addresses, offline, pages, plaques, qr, registry
from .files import write_atomically, write_tree
from .load import Guide, load_guide
from .media import render_media
from .messages import say
from .mkdocs_build import build_languages
from .problems import GuideError

STATIC_DIR = Path(__file__).parent / "static"
DEFAULT_PRESET = "a6"
DEFAULT_PAPER = "a4"
PLAQUE_FOLDER = "plaques"


@dataclass(frozen=True)
class BuildResult:
    guide: Guide
    output: Path
    warnings: tuple[str, ...]
    registered: tuple[str, ...] = field(default=())


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


def address_files(guide: Guide, forwarding: registry.Forwarding) -> dict[str, str]:
    """Root pages, every plaque address (current and retired) and every old slug address."""
    files = addresses.root_files(guide)
    by_slug = {site.slug: site for site in guide.sites}
    plaque_targets = {site.id: site.slug for site in guide.sites} | forwarding.retired_plaques
    for plaque_id, slug in plaque_targets.items():
        files.update(addresses.plaque_pages(guide, plaque_id, slug, by_slug[slug].name[guide.default_language]))
    for old, slug in forwarding.old_slugs.items():
        files.update(addresses.old_slug_pages(guide, old, slug, by_slug[slug].name[guide.default_language]))
    return files


def select_sites(guide: Guide, only: tuple[str, ...]) -> list:
    if not only:
        return list(guide.sites)
    chosen = [site for site in guide.sites if site.id in only or site.slug in only]
    unknown = set(only) - {site.id for site in chosen} - {site.slug for site in chosen}
    if unknown:
        raise GuideError(say("no site has the id or slug {names}", names=", ".join(sorted(unknown))))
    return chosen


class PrintCache:
    """Verified (pdf, png preview) pairs, keyed by a hash of everything that shapes them: a plaque is
    drawn, rasterised and decoded once, and again only when its text, size or style changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(*parts: object) -> str:
        return hashlib.sha256(repr((plaques.PIPELINE, *parts)).encode()).hexdigest()[:16]

    def get(self, key: str) -> tuple[bytes, bytes] | None:
        pdf, png = self.folder / f"{key}.pdf", self.folder / f"{key}.png"
        return (pdf.read_bytes(), png.read_bytes()) if pdf.is_file() and png.is_file() else None

    def put(self, key: str, rendered: tuple[bytes, bytes]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(self.folder / f"{key}.png", lambda path: path.write_bytes(rendered[1]))
        write_atomically(self.folder / f"{key}.pdf", lambda path: path.write_bytes(rendered[0]))  # last: complete


def _render_plaque(job: tuple[plaques.PlaqueText, plaques.Preset, plaques.CodeStyle]) -> tuple[bytes, bytes]:
    """One verified plaque as (pdf, png); a top-level function so worker processes can run it."""
    rendered = plaques.render_plaque(*job)
    return rendered.pdf, rendered.png()


def _render_plaques(jobs: dict[str, tuple], cache: PrintCache) -> None:
    """Render the plaques missing from the cache, on every core (each takes about half a second)."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        results = map(_render_plaque, jobs.values())
        for key, rendered in zip(jobs, results, strict=True):
            cache.put(key, rendered)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for key, rendered in zip(jobs, pool.map(_render_plaque, jobs.values()), strict=True):
            cache.put(key, rendered)


def plaque_files(guide: Guide, options: PlaqueOptions) -> tuple[dict[str, bytes], list[str]]:
    """QR codes (SVG, PNG), one plaque per site (PDF, PNG preview) and a sheet; with size warnings."""
    preset = plaques.parse_size(options.size)
    style = options.style()
    cache = PrintCache(guide.project.root / ".build" / "cache" / "plaques")
    organisation = guide.settings.organisation
    files: dict[str, bytes] = {}
    texts = []
    plaque_keys: dict[str, str] = {}  # output folder → cache key
    missing: dict[str, tuple] = {}
    warnings: set[str] = set()
    for site in select_sites(guide, options.only):
        url = addresses.plaque_url(guide, site.id)
        text = plaques.plaque_text(url, site.id, site.name, guide.languages,
                                   organisation.get(guide.default_language, ""))
        symbol = qr.make_symbol(url, style.level)
        if qr.decode(qr.to_image(symbol)) != [url]:
            raise GuideError(say("the QR code of {id} does not read back as {url}", id=site.id, url=url))
        warnings.update(plaques.size_warnings(preset, symbol))
        folder = f"{PLAQUE_FOLDER}/{site.id}"
        files[f"{folder}/qr.svg"] = qr.write(symbol, "svg")
        files[f"{folder}/qr.png"] = qr.write(symbol, "png")
        plaque_keys[folder] = key = cache.key(text, preset, style)
        if cache.get(key) is None:
            missing[key] = (text, preset, style)
        texts.append(text)
    _render_plaques(missing, cache)
    for folder, key in plaque_keys.items():
        files[f"{folder}/plaque-{preset.name}.pdf"], files[f"{folder}/plaque-{preset.name}.png"] = cache.get(key)
    sheet_key = cache.key(tuple(texts), preset, options.paper, options.bleed, style)
    if cache.get(sheet_key) is None:
        rendered = plaques.render_sheet(texts, preset, options.paper, options.bleed, style)
        cache.put(sheet_key, (rendered.pdf, rendered.png()))
    sheet = f"{PLAQUE_FOLDER}/sheet-{preset.name}-on-{options.paper}"
    files[f"{sheet}.pdf"], files[f"{sheet}.png"] = cache.get(sheet_key)
    return files, sorted(warnings)


def checked_plaque_files(guide: Guide, options: PlaqueOptions) -> tuple[dict[str, bytes], list[str]]:
    """`plaque_files`, with a missing font, a bad option or an unreadable code as a clear error."""
    try:
        return plaque_files(guide, options)
    except (plaques.FontMissing, plaques.NotScannable, ValueError, OSError) as error:
        raise GuideError(f"plaques: {error}") from None


def render_site(guide: Guide, output: Path, forwarding: registry.Forwarding) -> tuple[str, ...]:
    """Render the whole guide into the empty folder `output`; return warnings."""
    work = guide.project.root / ".build"
    media = render_media(guide, output, work / "cache" / "media")
    documents = {lang: pages.render_language(guide, lang, media) for lang in guide.languages}
    warnings = build_languages(guide, documents, work, output)
    write_tree(output, address_files(guide, forwarding))
    write_tree(output, {f"{lang}/{offline.OFFLINE_FILE}": offline.area_manifest(guide, lang, media, output)
                         for lang in guide.languages})
    shutil.copyfile(STATIC_DIR / "sw.js", output / "sw.js")
    shutil.copyfile(output / guide.default_language / "404.html", output / "404.html")
    files, plaque_warnings = checked_plaque_files(guide, PlaqueOptions())
    write_tree(output, files)
    return (*warnings, *plaque_warnings)


OUTPUT_MARK = ".guide-output"  # in every folder the build writes: only such folders are ever replaced


def swap_into_place(built: Path, target: Path) -> None:
    """Replace `target` by `built` with renames only, so readers never see a partial site; if the
    second rename fails, the previous folder is put back."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    try:
        built.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    if old.exists():
        shutil.rmtree(old)


def _replaceable(target: Path, default: Path) -> None:
    """Never replace a folder the build did not write (a typo in --output must not delete sites/)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not (target / OUTPUT_MARK).exists() \
            and target != default.resolve():
        raise GuideError(say("{folder} is not empty and was not written by build.py; choose another output folder",
                             folder=target))


def check(root: Path) -> tuple[Guide, registry.Registry]:
    """Validate sites, settings and the plaque registry; raise GuideError listing every problem."""
    guide = load_guide(root)
    try:
        addresses.plaque_folder(guide)
    except ValueError as error:
        raise GuideError(f"mkdocs.yml: extra.guide.plaque_base: {error}") from None
    issued = registry.load_registry(guide)
    problems = registry.check(guide, issued)
    if problems:
        raise GuideError(problems)
    return guide, issued


def staged(guide: Guide, target: Path, write) -> Path:
    """Run `write(folder)` on a fresh folder next to `target`, then swap it in; on failure keep `target`."""
    target = target.resolve()
    _replaceable(target, guide.project.output_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        write(staging)
        (staging / OUTPUT_MARK).write_text("Written by build.py; replaced by the next build.\n", encoding="utf-8")
        swap_into_place(staging, target)
        return target
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build(root: Path, output: Path | None = None, today: datetime.date | None = None,
          register: bool = True) -> BuildResult:
    """Validate, render and swap in; then record new plaque ids (not for previews, whose
    half-typed ids and slugs must not become permanent)."""
    guide, issued = check(root)
    target = output or guide.project.output_dir
    warnings: list[str] = registry.reused_addresses(guide, issued)
    target = staged(guide, target,
                    lambda folder: warnings.extend(render_site(guide, folder, registry.forwarding(guide, issued))))
    new_lines = registry.additions(guide, issued, today or datetime.date.today()) if register else []
    registry.append(guide.project.registry_file, new_lines)
    return BuildResult(guide, target, tuple(warnings), tuple(new_lines))


def build_plaques(root: Path, options: PlaqueOptions, output: Path) -> tuple[Path, list[str]]:
    """Only the plaques and sheet, with chosen size, paper and sites, into their own folder."""
    guide, _issued = check(root)
    warnings: list[str] = []

    def write(folder: Path) -> None:
        files, found = checked_plaque_files(guide, options)
        write_tree(folder, {name.removeprefix(f"{PLAQUE_FOLDER}/"): data for name, data in files.items()})
        warnings.extend(found)

    return staged(guide, output, write), warnings
