"""Search stage: a compact index of the sites' names per language, searched on the phone.

Visitors search for the next site by its name, its place or its kind, typed on a phone, often
without Vietnamese tones. The index holds, per site, its name in the page's language, its
Vietnamese name (typed on English and Chinese pages too), its area and its category; folding tones,
matching Chinese by characters and correcting a mistyped letter happen in `theme/assets/search.js`.
Summaries, shown under each result, are split into small shards fetched only for the results shown.

Measured at 1,000 sites (see README): one query downloads a few tens of KB. Pagefind, a general
full-text engine, was tried first: its engine alone is 84 KB gzip and its index of only the names
and areas was another 100 KB per query, over the 100 KB budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..cache import key
from ..files import Files
from ..i18n import Translator, _
from ..source.load import Guide
from .pages import (
    CATEGORY_LABELS,
    LanguagePages,
    MediaIndex,
    Nearby,
    PlannedPage,
    page_document,
    pick,
    render_template,
    vietnam_today,
)

SEARCH_DOCUMENT = "search.md"  # the search page of each language: <lang>/search/
INDEX_FILE = "search/index.json"  # under each language's root
SUMMARY_SHARD = "search/summaries/{number}.json"
SITES_PER_SHARD = 16  # ten results fetch at most ten small files


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def index_files(guide: Guide, language: str) -> Files:
    """{path under the language's root: JSON} for one language: the index and its summary shards.

    The index is {"areas": [...], "categories": [...], "sites": [[slug, name, Vietnamese name or "",
    area number, category number], ...]}; site n's summary is item n % SITES_PER_SHARD of shard
    n // SITES_PER_SHARD."""
    t, default = Translator(language), guide.default_language
    areas: dict[str, int] = {}
    categories = list(CATEGORY_LABELS)
    sites, summaries = [], []
    for site in guide.sites:
        name, area, summary = (pick(texts, language, default) for texts in (site.name, site.area, site.summary))
        assert name and area and summary
        other = site.name[default] if site.name[default] != name.text else ""
        sites.append([site.slug, name.text, other, areas.setdefault(area.text, len(areas)), categories.index(site.category)])
        summaries.append(summary.text)
    files = {INDEX_FILE: _compact({"areas": list(areas), "categories": [t(CATEGORY_LABELS[c]) for c in categories],
                                   "sites": sites})}
    for start in range(0, len(summaries), SITES_PER_SHARD):
        files[SUMMARY_SHARD.format(number=start // SITES_PER_SHARD)] = _compact(summaries[start:start + SITES_PER_SHARD])
    return files


def index_groups(guide: Guide) -> dict[str, tuple[str, Callable[[], Files]]]:
    """One group per language for a WorkTree, keyed by every site file (an edit changes the index)."""
    sites = [(entry.path, entry.digest) for entry in guide.files]
    return {
        language: (key("search index", language, guide.settings_digest, sites),
                   lambda language=language: {f"{language}/{name}": text for name, text in index_files(guide, language).items()})
        for language in guide.languages
    }


def plan_search_page(guide: Guide, language: str, media: MediaIndex, near: Nearby) -> dict[str, PlannedPage]:
    """The search page of one language: a form, and a script that loads the index only when used."""
    pages = LanguagePages(guide, language, media, near, vietnam_today())  # the search page shows no dates

    def render() -> str:
        t = pages.t
        html = render_template("search.html", t=t, index=f"../{INDEX_FILE}", shard=f"../{SUMMARY_SHARD}",  # from <lang>/search/
                               per_shard=SITES_PER_SHARD, script="../../assets/search.js")
        front = {"title": t(_("Search")), "description": t(_("Search the guide's sites by name, place or kind.")),
                 "hide": ["navigation", "toc"], "guide_alternates": pages.alternates("search")}
        return page_document(front, html)

    return {SEARCH_DOCUMENT: PlannedPage(key("search page", language, guide.settings_digest), render)}
