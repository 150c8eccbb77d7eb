"""The build, end to end: load → validate → render → write into a fresh folder → swap into place.

The previous `site/` is replaced only after everything succeeded, so a mistake in one file never
leaves a half-written or missing site behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import errno
import json
import os
import secrets
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .cache import FileDigests, Store, cache_root, key
from .files import Busy, Files, WorkTree, exclusive, link_files, link_tree, write_tree
from .media.stage import MediaIndex, media_files, render_media
from .messages import mark, say
from .printing import print_run
from .problems import GuideError
from .progress import Progress, Quiet
from .source import registry
from .source.load import Guide, Project, load_guide
from .source.registry import fresh_id
from .web import addresses, admin, integrity, offline, pages, search
from .web.mkdocs_build import build_date, build_languages
from .web.viewer import viewer_files

STATIC_DIR = Path(__file__).parent / "static"
MEDIA_STAGE = mark("photos and audio")
WORK_FOLDER = ".build"  # caches and each language's MkDocs work folders, kept between builds
SHARED_ASSETS = "assets/"  # the same in every language's build: published once, at the root (see theme/main.html)
UNUSED_ASSETS = ("javascripts/lunr/", "javascripts/workers/")  # Material's search, replaced by the guide's


def published_asset(name: str) -> bool:
    """Material's own search files and source maps are never requested: they stay out of the site."""
    return not name.startswith(UNUSED_ASSETS) and not name.endswith(".map")


@dataclass(frozen=True)
class BuildResult:
    guide: Guide
    output: Path
    warnings: tuple[str, ...]
    registered: tuple[str, ...] = field(default=())


def address_groups(guide: Guide, forwarding: registry.Forwarding) -> dict[str, tuple[str, Callable[[], Files]]]:
    """Root pages, every plaque address (current and retired) and every old slug address, in groups
    keyed by what they show."""
    settings = guide.settings_digest
    by_slug = {site.slug: site for site in guide.sites}
    groups: dict[str, tuple[str, Callable[[], Files]]] = {
        "root": (key("root", settings, list(by_slug), sorted({site.area[guide.default_language] for site in guide.sites})),
                 partial(addresses.root_files, guide)),
    }
    plaque_targets = {site.id: site.slug for site in guide.sites} | forwarding.retired_plaques
    for plaque_id, slug in plaque_targets.items():
        title = by_slug[slug].name[guide.default_language]
        groups[f"plaque {plaque_id}"] = (key("plaque", settings, plaque_id, slug, title),
                                         partial(addresses.plaque_pages, guide, plaque_id, slug, title))
    for old, slug in forwarding.old_slugs.items():
        title = by_slug[slug].name[guide.default_language]
        groups[f"old slug {old}"] = (key("old slug", settings, old, slug, title),
                                     partial(addresses.old_slug_pages, guide, old, slug, title))
    return groups


@dataclass(frozen=True)
class SitePlan:
    """Everything the site will hold, each part named by the key of its inputs; `fingerprint` covers all
    of them, so an output written from the same fingerprint needs no rebuild."""

    media: MediaIndex
    pages: dict[str, dict[str, pages.PlannedPage]]
    plaques: print_run.PlaquePlan
    forwarding: registry.Forwarding
    admin: dict[str, str]  # /admin/'s page, form and bundle
    fingerprint: str


def media_stage(guide: Guide, digests: FileDigests, progress: Progress) -> MediaIndex:
    """Decode and encode new photos, read new recordings (cached by content): `check` runs it too, so a photo
    that cannot be read fails there, with the message the build would give."""
    progress.stage(say(MEDIA_STAGE), 1)
    media = render_media(guide, cache_root(guide.project.root) / "media", digests)
    progress.advance(say(MEDIA_STAGE))
    progress.end(say(MEDIA_STAGE))
    return media


def plan_site(guide: Guide, issued: registry.Registry, digests: FileDigests, progress: Progress) -> SitePlan:
    """Encode new photos (they name the pages' image files), then key every page and plaque."""
    forwarding = registry.forwarding(guide, issued)
    media = media_stage(guide, digests, progress)
    near = pages.nearby_sites(guide.sites)
    planned = {lang: pages.plan_language(guide, lang, media, near) | search.plan_search_page(guide, lang, media, near)
               for lang in guide.languages}
    plaque_plan = print_run.checked(lambda: print_run.plan_plaques(guide, print_run.PlaqueOptions()))
    editor = admin_files(guide, issued)
    fingerprint = key("site", guide.settings_digest, [(entry.path, entry.digest) for entry in guide.files], forwarding,
                      media, {lang: [page.key for page in documents.values()] for lang, documents in planned.items()},
                      plaque_plan.entries, plaque_plan.sheets, build_date(), editor)
    return SitePlan(media, planned, plaque_plan, forwarding, editor, fingerprint)


def admin_files(guide: Guide, issued: registry.Registry) -> dict[str, str]:
    """/admin/'s page and form; a new site's plaque id is filled in with one that is free now."""
    free = fresh_id("di-tich", {site.id for site in guide.sites} | {entry.id for entry in issued.entries})
    return admin.written_files(guide.settings.title[guide.default_language], guide.settings, guide.repository, free)


def render_site(guide: Guide, plan: SitePlan, output: Path, progress: Progress) -> list[str]:
    """Render the whole guide into the empty folder `output`; return warnings. Every stage reuses what
    an earlier build made from the same inputs (see cache.py), so an edit costs what it changed; the
    plaques render on their own workers while the pages are built."""
    caches, work = cache_root(guide.project.root), guide.project.root / WORK_FOLDER
    with ThreadPoolExecutor(max_workers=1) as background:
        printing = background.submit(copy_context().run, print_run.checked,  # in this run's message language
                                     partial(print_run.plaque_files, plan.plaques, Store(caches / "plaques"), progress))
        folders, warnings = build_languages(guide, plan.pages, work, progress)
        for language, folder in folders.items():
            link_tree(folder, output / language, lambda name: not name.startswith(SHARED_ASSETS))
        link_tree(folders[guide.default_language] / SHARED_ASSETS, output / SHARED_ASSETS, published_asset)
        search_tree = WorkTree(work / "search")
        search_tree.update(search.index_groups(guide))
        link_tree(search_tree.root, output)
        link_files(output, media_files(plan.media, caches / "media"))
        if any(site.panoramas for site in guide.sites):  # the tours' viewer, loaded only when one is opened
            link_files(output, dict(viewer_files().values()))
        # The form editor, for editors only (not linked, not in the sitemap, noindex, left alone by the service worker).
        write_tree(output, plan.admin)
        link_files(output, admin.installed_files())
        addresses_tree = WorkTree(work / "addresses")
        addresses_tree.update(address_groups(guide, plan.forwarding))
        link_tree(addresses_tree.root, output)
        write_tree(output, offline.language_files(guide, plan.media, output))
        shutil.copyfile(STATIC_DIR / "sw.js", output / "sw.js")
        # What a host serves for any missing address: the fallback language's page, which offers every language.
        shutil.copyfile(output / guide.settings.fallback / "404.html", output / "404.html")
        files, plaque_warnings = printing.result()
    link_files(output, files)
    plaques = [addresses.plaque_folder(guide) + plaque for plaque in [*(site.id for site in guide.sites),
                                                                      *plan.forwarding.retired_plaques]]
    integrity.verify(output, guide.site_url, [  # every address the site hands out, and every one printed or kept
        *(form for printed in plaques for form in (printed, f"{printed}/", printed.lower(), f"{printed.lower()}/")),
        *(f"{lang}/{old}/" for old in plan.forwarding.old_slugs for lang in guide.languages)])
    return [*warnings, *plaque_warnings]


OUTPUT_MARK = ".guide-output"  # in every folder the build writes: only such folders are ever replaced


def swap_into_place(built: Path, target: Path) -> None:
    """Replace `target` by `built` so that readers, and a build killed at any moment, see the whole
    previous folder or the whole new one: on Linux the two folders are exchanged in one step
    (renameat2 RENAME_EXCHANGE); elsewhere by two renames, the previous folder put back if the second
    fails. The previous folder is deleted after the swap, on a thread of its own: removing a province's
    thousands of folders took over a second, which `serve` need not wait for (a command still finishes
    it before it exits); if this process is killed first, the next build removes it."""
    if target.is_dir() and _exchange(built, target):
        _remove_in_background(built)  # now the previous folder
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent)) / target.name
    if target.exists():
        target.rename(old)
    try:
        built.rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    _remove_in_background(old.parent)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None) if sys.platform == "linux" else None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


_removing: set[Path] = set()


def _remove_in_background(folder: Path) -> None:
    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        _removing.discard(folder)

    _removing.add(folder)
    threading.Thread(target=remove, name=f"remove {folder.name}").start()


def _remove_leftovers(target: Path) -> None:
    """What killed builds left next to `target`: half-built folders and previous outputs not yet deleted
    (each named with the id of the process that made it; a live one's are left alone). Folders are made
    writable first: a read-only previous output must not stay forever."""
    for folder in [*target.parent.glob(f".{target.name}.building-*"), *target.parent.glob(f".{target.name}.old-*")]:
        pid = folder.name.rpartition(".")[2].split("-")[1]
        if folder in _removing or (pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))):
            continue
        for path, _folders, _files in os.walk(folder):
            with contextlib.suppress(OSError):
                os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | stat.S_IRWXU)
        _remove_in_background(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        pass
    return True


def _replaceable(target: Path, default: Path) -> None:
    """Never replace a folder the build did not write (a typo in --output must not delete sites/)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not (target / OUTPUT_MARK).exists() \
            and target != default.resolve():
        raise GuideError(say("{folder} is not empty and was not written by build.py; choose another output folder",
                             folder=target))


def check(root: Path, digests: FileDigests | None = None,
          media_progress: Progress | None = None) -> tuple[Guide, registry.Registry]:
    """Validate sites, settings and the plaque registry, and with `media_progress` every photo, recording, video
    and panorama too (the media stage, cached by content); raise GuideError listing every problem."""
    digests = digests or FileDigests(Store(cache_root(root) / "load"))
    try:  # read once: it also tells a duplicate id's message which file the id was printed for
        issued, unreadable = registry.read_registry(Project(root)), None
    except GuideError as error:  # said after the site files' own problems
        issued, unreadable = None, error
    guide = load_guide(root, digests, issued.printed_pages() if issued else {})
    try:
        addresses.plaque_folder(guide)
    except ValueError as error:
        raise GuideError(f"mkdocs.yml: extra.guide.plaque_base: {error}") from None
    if unreadable is not None:
        raise unreadable
    problems = registry.check(guide, issued)
    if problems:
        raise GuideError(problems)
    if media_progress is not None:
        media_stage(guide, digests, media_progress)
    return guide, issued


def published(target: Path) -> dict[str, Any]:
    """What the build that wrote `target` recorded in its mark (fingerprint, warnings), or nothing."""
    try:
        record = json.loads((target / OUTPUT_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def staged(guide: Guide, target: Path, write: Callable[[Path], dict[str, Any]]) -> Path:
    """Run `write(folder)` on a fresh folder next to `target`, record what it returns in the folder's
    mark (written last: the folder is complete) with a snapshot of the plaque registry (see
    registry.py), then swap it in; on failure keep `target`. The folder gets the permissions of any
    new folder (0755 under the usual umask): a web server running as another user must read it."""
    target = target.resolve()
    _replaceable(target, guide.project.output_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    while True:  # not tempfile.mkdtemp: it makes the folder private (0700)
        staging = target.parent / f".{target.name}.building-{os.getpid()}-{secrets.token_hex(4)}"
        with contextlib.suppress(FileExistsError):
            staging.mkdir()
            break
    try:
        record = {"written by": "build.py; replaced by the next build", **write(staging)}
        registry.write_snapshot(guide, staging)
        (staging / OUTPUT_MARK).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        swap_into_place(staging, target)
        return target
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@contextmanager
def one_build_at_a_time(root: Path, wait: bool) -> Iterator[None]:
    """Builds of one project share their work folders: a second one waits (`serve`) or stops with a
    clear message (a command)."""
    if not Project(root).config_file.is_file():  # not a guide's folder: check() says so, and nothing is created
        yield
        return
    try:
        with exclusive(root / WORK_FOLDER / "build.lock", wait):
            yield
    except Busy:
        raise GuideError(say("another build of this guide is running (build.py or build.py serve); "
                             "wait for it to finish, then run the command again")) from None


def build(root: Path, output: Path | None = None, today: datetime.date | None = None,
          register: bool = True, progress: Progress | None = None, wait: bool = False) -> BuildResult:
    """Validate, render and swap in; then record new plaque ids (not for previews, whose
    half-typed ids and slugs must not become permanent)."""
    with one_build_at_a_time(root, wait):
        return _build(root, output, today, register, progress or Quiet())


def _build(root: Path, output: Path | None, today: datetime.date | None, register: bool,
           progress: Progress) -> BuildResult:
    digests = FileDigests(Store(cache_root(root) / "load"))
    guide, issued = check(root, digests)
    target = (output or guide.project.output_dir).resolve()
    plan = plan_site(guide, issued, digests, progress)
    record = published(target)
    if record.get("fingerprint") != plan.fingerprint:  # else the output holds exactly this build already
        record = {"fingerprint": plan.fingerprint}
        staged(guide, target, lambda folder: record | {"warnings": render_site(guide, plan, folder, progress)})
        record = published(target)
    warnings = [*guide.notes, *registry.reused_addresses(guide, issued), *print_run.sample_warnings(guide, guide.sites),
                *record.get("warnings", [])]
    new_lines = registry.additions(guide, issued, today or datetime.date.today()) if register else []
    registry.append(guide.project.registry_file, new_lines)
    return BuildResult(guide, target, tuple(warnings), tuple(new_lines))


def build_plaques(root: Path, options: print_run.PlaqueOptions, output: Path,
                  progress: Progress | None = None) -> tuple[Path, list[str]]:
    """Only the plaques and sheet, with chosen size, paper and sites, into their own folder."""
    with one_build_at_a_time(root, wait=False):
        return _build_plaques(root, options, output, progress or Quiet())


def _build_plaques(root: Path, options: print_run.PlaqueOptions, output: Path,
                   progress: Progress) -> tuple[Path, list[str]]:
    guide, _issued = check(root)
    warnings = print_run.sample_warnings(guide, print_run.select_sites(guide, options))

    def write(folder: Path) -> dict[str, Any]:
        plan = print_run.checked(lambda: print_run.plan_plaques(guide, options))
        files, found = print_run.checked(lambda: print_run.plaque_files(plan, Store(cache_root(root) / "plaques"), progress))
        link_files(folder, {name.removeprefix(f"{print_run.PLAQUE_FOLDER}/"): path for name, path in files.items()})
        warnings.extend(found)
        return {}

    return staged(guide, output, write), warnings
