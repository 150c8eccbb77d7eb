"""Write stage for pages: one Material for MkDocs build per language, run in parallel processes.

Each language gets its own `theme.language`, search index and navigation (see research: one build per
language avoids mixed search indexes and a switcher that loses the page). The volunteers' mkdocs.yml is
the base; the keys the guide manages are set here.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import yaml
from markupsafe import escape

from .i18n import Translator, _
from .load import Guide
from .messages import say
from .problems import GuideError

THEME_DIR = Path(__file__).parent / "theme"
# Material search languages that need no extra tokenizer set-up; others fall back to English.
SEARCH_SEPARATORS = {"zh": r"[\s\u200b\-、。，．？！；]+"}


def language_config(guide: Guide, language: str, docs_dir: Path, site_dir: Path) -> dict[str, Any]:
    """One language's MkDocs configuration: it inherits the project's mkdocs.yml (so MkDocs itself
    reads that file, tags such as `!!python/name:` included) and sets what the guide manages."""
    t = Translator(language)
    base = guide.mkdocs_config
    theme: dict[str, Any] = {"language": language, "custom_dir": str(THEME_DIR)}
    if "font" not in (base.get("theme") or {}):
        theme["font"] = False  # Material's default loads Google Fonts: a third-party request
    search: dict[str, Any] = {"lang": [language]}
    if language in SEARCH_SEPARATORS:
        search["separator"] = SEARCH_SEPARATORS[language]
    title, organisation = (texts.get(language) or texts[guide.default_language]
                           for texts in (guide.settings.title, guide.settings.organisation))
    return {
        "INHERIT": str(guide.project.config_file.resolve()),
        "site_name": str(escape(title)),
        "site_url": f"{guide.site_url}{language}/",
        "docs_dir": str(docs_dir),
        "site_dir": str(site_dir),
        "theme": theme,
        "nav": [{t(_("Home")): "index.md"}],
        "not_in_nav": "/*.md",
        "plugins": [{"search": search}],
        "extra": {"alternate": True},
        "extra_css": [*base.get("extra_css", []), "assets/guide.css"],
        "extra_javascript": [*base.get("extra_javascript", []), "assets/guide.js"],
        "copyright": str(escape(f"© {organisation}")),
        "use_directory_urls": True,
    }


def _build_one(config_file: str) -> list[str]:
    """Run MkDocs for one language in this process; return the warnings it logged."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    logging.getLogger("jieba").setLevel(logging.WARNING)  # it announces its dictionary on every build
    logger = logging.getLogger("mkdocs")
    collect = Collect()
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    try:
        build(load_config(config_file))
    except Exception as error:  # MkDocs logs the reason, then raises a bare "Aborted"
        raise RuntimeError("; ".join(warnings) or str(error)) from None
    finally:
        logger.removeHandler(collect)
    return warnings


def build_languages(guide: Guide, documents: dict[str, dict[str, str]], work: Path, output: Path) -> list[str]:
    """Write each language's documents and config under `work`, build into `output/<lang>/`."""
    config_files = []
    for language, files in documents.items():
        docs = work / language / "docs"
        if docs.exists():
            for old in docs.rglob("*.md"):
                old.unlink()
        docs.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (docs / name).write_text(text, encoding="utf-8")
        config_file = work / language / "mkdocs.yml"
        config = language_config(guide, language, docs, output / language)
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        config_files.append(str(config_file))
    workers = min(len(config_files), os.cpu_count() or 1)
    try:
        if workers <= 1:
            return [warning for config_file in config_files for warning in _build_one(config_file)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return [warning for found in pool.map(_build_one, config_files) for warning in found]
    except RuntimeError as error:  # MkDocs or a theme setting in mkdocs.yml failed: say so, keep site/
        raise GuideError(say("MkDocs could not build the pages: {error} (check the theme settings in mkdocs.yml)",
                             error=error)) from None
