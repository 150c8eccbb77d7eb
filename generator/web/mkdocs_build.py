"""Write stage for pages: one Material for MkDocs build per language, run in parallel processes.

Each language gets its own `theme.language` and navigation (see research: one build per language keeps
a switcher that stays on the page). Search is the guide's own (generator/web/search.py), so Material's
search plugin is off. The volunteers' mkdocs.yml is the base; the keys the guide manages are set here.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

from ..cache import key
from ..files import replace_file, write_atomically
from ..i18n import Translator, _, html_lang, language_name
from ..messages import mark, say
from ..problems import GuideError
from ..progress import Progress
from ..source.load import Guide
from ..workers import process_pool
from .pages import PlannedPage, footer

THEME_DIR = Path(__file__).parent.parent / "theme"
HOOKS_FILE = Path(__file__).parent / "mkdocs_hooks.py"


def language_config(guide: Guide, language: str, docs_dir: Path, site_dir: Path) -> dict[str, Any]:
    """One language's MkDocs configuration: it inherits the project's mkdocs.yml (so MkDocs itself
    reads that file, tags such as `!!python/name:` included) and sets what the guide manages."""
    t = Translator(language)
    base = guide.mkdocs_config
    theme: dict[str, Any] = {"language": language, "custom_dir": str(THEME_DIR)}
    if "font" not in (base.get("theme") or {}):
        theme["font"] = False  # Material's default loads Google Fonts: a third-party request
    title = guide.settings.title.get(language) or guide.settings.title[guide.default_language]
    return {
        "INHERIT": str(guide.project.config_file.resolve()),
        "site_name": str(escape(title)),
        "site_url": f"{guide.site_url}{language}/",
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "theme": theme,
        "nav": [{t(_("Home")): "index.md"}],
        "not_in_nav": "/*.md",
        "plugins": [],  # Material's search sent its whole index with every first visit
        "hooks": [*base.get("hooks", []), str(HOOKS_FILE)],
        "extra": {"alternate": True, "guide_ui": interface(guide, language)},
        "extra_javascript": [*base.get("extra_javascript", []), "assets/guide.js"],
        "copyright": footer(guide, language, None),  # pages of an organisation's sites or area carry their own
        "use_directory_urls": True,
    }


def interface(guide: Guide, language: str) -> dict[str, Any]:
    """The theme's own words in the reader's language (where Material's are missing or read badly), and
    the languages the 404 page offers."""
    t = Translator(language)
    return {
        "change_language": t(_("Change language")),
        "not_found": t(_("Page not found")),
        "not_found_help": t(_("This address is not in the guide, or no longer. Start from the home page, or search for a site.")),
        "home": t(_("Home")),
        "search": t(_("Search")),
        "languages_heading": t(_("In other languages")),
        "languages": [{"lang": lang, "hreflang": html_lang(lang), "name": language_name(lang)} for lang in guide.languages],
    }


@contextmanager
def _writes_by_replacing() -> Iterator[None]:
    """MkDocs writes its files in place; the guide hard-links its output into the published site, so
    every write must make a new file instead (written beside, then renamed over the old one)."""
    from mkdocs import utils

    def write_file(content: bytes, output_path: str) -> None:
        replace_file(Path(output_path), content)

    def copy_file(source_path: str, output_path: str) -> None:
        target = Path(output_path)
        target = target / Path(source_path).name if target.is_dir() else target
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, lambda path: shutil.copyfile(source_path, path))

    originals = utils.write_file, utils.copy_file
    utils.write_file, utils.copy_file = write_file, copy_file
    try:
        yield
    finally:
        utils.write_file, utils.copy_file = originals


DIRTY_WARNING = "A 'dirty' build is being performed"  # MkDocs' caution, answered by re-rendering every affected page


def _build_one(job: tuple[str, bool]) -> list[str]:
    """Run MkDocs for one language in this process; return the warnings it logged. `dirty` builds
    render only the pages whose output file was removed (their inputs changed)."""
    config_file, dirty = job
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING and not record.getMessage().startswith(DIRTY_WARNING):
                warnings.append(record.getMessage())

    logger = logging.getLogger("mkdocs")
    collect = Collect()
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    try:
        config = load_config(config_file)
        with _writes_by_replacing():
            build(config, dirty=dirty)
    except Exception as error:  # MkDocs logs the reason, then raises a bare "Aborted"
        raise RuntimeError("; ".join(warnings) or str(error)) from None
    finally:
        logger.removeHandler(collect)
    return warnings


def output_of(document: str) -> str:
    """The file MkDocs writes for a document (every page is a folder: addresses have no .html)."""
    return "index.html" if document == "index.md" else f"{document.removesuffix('.md')}/index.html"


@dataclass(frozen=True)
class LanguageFolders:
    """One language's work folders, kept between builds: its documents, MkDocs' output, the state."""

    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def state(self) -> Path:
        return self.root / "state.json"

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"


def _previous_state(folders: LanguageFolders, config_key: str) -> dict[str, Any] | None:
    """The state of the last complete build with the same configuration, or None (build clean)."""
    try:
        state = json.loads(folders.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if state.get("config") == config_key and folders.site.is_dir() else None


def build_date() -> str:
    """The day MkDocs writes into every page's sitemap entry (SOURCE_DATE_EPOCH, else today): on a new
    day MkDocs runs again, so the sitemap matches a build made from nothing."""
    from mkdocs.utils import get_build_date

    return get_build_date()


def _prepare(guide: Guide, language: str, planned: dict[str, PlannedPage], folders: LanguageFolders,
             progress: Progress) -> tuple[dict[str, Any], tuple[str, bool] | None]:
    """Write the documents whose key changed and remove their old output; return the state to record
    once MkDocs succeeded, and MkDocs' job (config file, dirty) or None when nothing changed."""
    config = language_config(guide, language, folders.docs, folders.site)
    config_key = key("mkdocs", config, guide.settings_digest)
    before = _previous_state(folders, config_key)
    folders.state.unlink(missing_ok=True)  # until MkDocs finished: a build cut short starts clean next time
    if before is None:
        shutil.rmtree(folders.root, ignore_errors=True)
    previous: dict[str, str] = before["pages"] if before else {}
    folders.docs.mkdir(parents=True, exist_ok=True)
    for document in previous.keys() - planned.keys():
        (folders.docs / document).unlink(missing_ok=True)
        output = folders.site / output_of(document)
        output.unlink(missing_ok=True)
        if output.parent != folders.site:
            shutil.rmtree(output.parent, ignore_errors=True)  # a removed site's folder, as a cold build has none
    changed = [document for document, page in planned.items() if previous.get(document) != page.key]
    progress.advance(say(STAGE), len(planned) - len(changed))
    for document in changed:
        (folders.docs / document).parent.mkdir(parents=True, exist_ok=True)  # area/<slug>.md
        (folders.docs / document).write_text(planned[document].render(), encoding="utf-8")
        (folders.site / output_of(document)).unlink(missing_ok=True)
        progress.advance(say(STAGE))
    folders.config.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    state = {"config": config_key, "date": build_date(),
             "pages": {document: page.key for document, page in planned.items()}}
    if before and not changed and previous.keys() == planned.keys() and before.get("date") == state["date"]:
        folders.state.write_text(json.dumps(state), encoding="utf-8")
        return state, None
    return state, (str(folders.config), bool(before))


STAGE = mark("pages")
MKDOCS_STAGE = mark("MkDocs, one build per language")


def build_languages(guide: Guide, plans: dict[str, dict[str, PlannedPage]], work: Path,
                    progress: Progress) -> tuple[dict[str, Path], list[str]]:
    """Bring each language's MkDocs output under `work/<lang>/site` up to date with its planned pages,
    building only what changed; return those folders and MkDocs' warnings. Each language's MkDocs
    build starts on a worker as soon as its pages are written, while this process writes the next
    language's: rendering and MkDocs overlap on the cores."""
    folders = {language: LanguageFolders(work / language) for language in plans}
    states: dict[str, dict[str, Any]] = {}
    progress.stage(say(STAGE), sum(map(len, plans.values())))
    progress.stage(say(MKDOCS_STAGE), len(plans))
    try:
        with process_pool() as pool:
            running: dict[str, Future[list[str]]] = {}
            try:
                for language, planned in plans.items():
                    states[language], job = _prepare(guide, language, planned, folders[language], progress)
                    if job:
                        running[language] = pool.submit(_build_one, job)
                    else:
                        progress.advance(say(MKDOCS_STAGE))
            except BaseException:
                wait(running.values())  # no build may still write these folders once this one stopped
                raise
            progress.end(say(STAGE))
            found = []
            for future in running.values():
                found += future.result()
                progress.advance(say(MKDOCS_STAGE))
    except RuntimeError as error:  # MkDocs or a theme setting in mkdocs.yml failed: say so, keep site/
        raise GuideError(say("MkDocs could not build the pages: {error} (check the theme settings in mkdocs.yml)",
                             error=error)) from None
    progress.end(say(MKDOCS_STAGE))
    for language in running:
        folders[language].state.write_text(json.dumps(states[language]), encoding="utf-8")
    return {language: folder.site for language, folder in folders.items()}, found
