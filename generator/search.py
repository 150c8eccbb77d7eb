"""Search stage: one Pagefind index per language, made from the guide's own text.

Pagefind splits its index into fragments a phone fetches per query (Material's search sent the whole
index with every first visit), folds diacritics (`den tran hung dao` finds Đền Trần Hưng Đạo) and, in
its extended build, cuts Chinese into words. It indexes small documents written here, one per site:
the name (weighted as a heading), the Vietnamese name on other languages' pages (visitors type it
without tones), the area, summary and text; not the page around them (lists of nearby sites would
make every neighbour match). So the index needs no MkDocs output and is built beside it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path

from markupsafe import Markup

from . import safe_markdown
from .cache import key
from .files import Files, WorkTree
from .i18n import Translator, _
from .load import Guide
from .messages import say
from .model import Site
from .pages import CATEGORY_LABELS, LanguagePages, MediaIndex, Nearby, PlannedPage, _page, pick, render_template
from .problems import GuideError

BUNDLE_FOLDER = "pagefind"  # under each language's root: <lang>/pagefind/pagefind.js
WORDS_FILE = "words.json"  # in the bundle: the names' words, for correcting a typo when nothing is found
WORD = re.compile(r"[a-z0-9]{4,}")  # shorter words have too many neighbours one letter away
SEARCH_DOCUMENT = "search.md"  # the search page of each language: <lang>/search/


def _executable() -> str:
    """Pagefind's extended binary (it segments Chinese), installed from PyPI with the guide."""
    from pagefind_bin_extended import get_executable

    return str(get_executable())


def search_record(guide: Guide, language: str, site: Site) -> str:
    """The document Pagefind indexes for one site in one language (HTML, volunteer text escaped)."""
    default = guide.default_language
    shown = partial(pick, language=language, default=default)
    name, area, summary, body = (shown(texts) for texts in (site.name, site.area, site.summary, site.body))
    assert name and area and summary and body
    category = Translator(language)(CATEGORY_LABELS[site.category])
    return render_template(
        "search-record.html", lang=language, name=name, area=area, category=category, summary=summary,
        body_html=Markup(safe_markdown.render(body.text)[0]), body_lang=body.lang,
        default_name=site.name[default] if language != default else None,
    )


def folded(text: str) -> str:
    """Lower case without tones or marks, `đ` as `d`: what a phone keyboard without Vietnamese types."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(char for char in text if not unicodedata.combining(char))


def name_words(guide: Guide, language: str) -> list[str]:
    """Every word of the sites' names and areas (as typed without tones), most frequent first."""
    counts: dict[str, int] = {}
    for site in guide.sites:
        for texts in (site.name, site.area):
            for text in {texts[guide.default_language], texts.get(language, "")}:
                for word in WORD.findall(folded(text)):
                    counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda word: (-counts[word], word))


def record_groups(guide: Guide, language: str) -> dict[str, tuple[str, Callable[[], Files]]]:
    """Each site's search document, keyed by the site file's content: only edited sites are rewritten."""
    return {
        entry.site.slug: (key("search record", language, guide.settings_digest, entry.digest),
                          lambda site=entry.site: {f"{site.slug}/index.html": search_record(guide, language, site)})
        for entry in guide.files
    }


def index_language(guide: Guide, language: str, work: Path) -> Path:
    """Bring `work/<language>`'s search documents up to date and return the folder of its Pagefind
    bundle, made again only when a document changed (keyed by all of them, and Pagefind's version)."""
    groups = record_groups(guide, language)
    records = WorkTree(work / language / "records")
    records.update(groups)
    bundle_key = key("pagefind", language, sorted(entry[0] for entry in groups.values()), _executable())
    bundle = work / language / f"bundle-{bundle_key}"
    if bundle.is_dir():
        return bundle
    for old in (work / language).glob("bundle-*"):
        shutil.rmtree(old, ignore_errors=True)
    making = Path(tempfile.mkdtemp(prefix=".bundle-", dir=work / language))
    try:
        run = subprocess.run([_executable(), "--site", str(records.root), "--output-path", str(making), "--quiet"],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0 or not (making / "pagefind.js").is_file():
            raise GuideError(say("the search index could not be made: {reason}",
                                 reason=(run.stderr or run.stdout).strip()[-500:]))
        for unused in (*making.glob("pagefind-*ui.*"), making / "pagefind-highlight.js"):  # Pagefind's own UIs
            unused.unlink(missing_ok=True)
        (making / WORDS_FILE).write_text(json.dumps(name_words(guide, language), ensure_ascii=False), encoding="utf-8")
        making.rename(bundle)
    finally:
        shutil.rmtree(making, ignore_errors=True)
    return bundle


def search_bundles(guide: Guide, work: Path) -> dict[str, Path]:
    """{language: its Pagefind bundle folder}, to be linked under `<lang>/pagefind/`."""
    return {language: index_language(guide, language, work) for language in guide.languages}


def plan_search_page(guide: Guide, language: str, media: MediaIndex, near: Nearby) -> dict[str, PlannedPage]:
    """The search page of one language: a form, and a script that loads the index only when used."""
    pages = LanguagePages(guide, language, media, near)

    def render() -> str:
        t = pages.t
        html = render_template("search.html", t=t, bundle=f"../{BUNDLE_FOLDER}/pagefind.js",
                               words=f"../{BUNDLE_FOLDER}/{WORDS_FILE}", script="../../assets/search.js")
        front = {"title": t(_("Search")), "description": t(_("Search the guide's sites by name, place or story.")),
                 "hide": ["navigation", "toc"], "guide_alternates": pages.alternates("search")}
        return _page(front, html)

    return {SEARCH_DOCUMENT: PlannedPage(key("search page", language, guide.settings_digest), render)}
