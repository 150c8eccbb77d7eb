"""Addresses that must keep working: plaque addresses, the language chooser, old slugs, the sitemap.

Pure: each function returns {path under the site root: file text}. A plaque address is a tiny
language-choosing page; the same file is written under the printed (upper-case) path and the lower-case
path people type, so case-sensitive hosts serve both and case-insensitive disks hold one file.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from ..i18n import html_lang
from ..messages import say
from ..source.load import Guide
from .csp import with_policy
from .pages import area_page, area_slugs, relative, render_template, site_path

ROOT_NAMES = ("media", "plaques", "assets", "search", "admin", "index.html", "404.html", "sitemap.xml", "robots.txt",
              "sw.js")


def plaque_base(guide: Guide) -> str:
    """The start of every QR address: configured, else the site URL with scheme and host in capitals
    (case-insensitive, and denser in a QR code) + 'Q/'. A path stays as it is: paths are case-sensitive."""
    if guide.settings.plaque_base:
        return guide.settings.plaque_base
    parts = urlsplit(guide.site_url)
    return f"{parts.scheme.upper()}://{parts.netloc.upper()}{parts.path}Q/"


def plaque_url(guide: Guide, plaque_id: str) -> str:
    """The permanent address printed into a plaque's QR code and under it."""
    return plaque_base(guide) + plaque_id


def plaque_folder(guide: Guide) -> str:
    """Where plaque pages live in the built site, e.g. 'Q/' for HTTPS://HOST/Q/: a folder of its own
    under the site (scheme and host compared without case, the path exactly), clear of other pages."""
    base, site = urlsplit(plaque_base(guide)), urlsplit(guide.site_url)
    same_host = (base.scheme.lower(), base.netloc.lower()) == (site.scheme.lower(), site.netloc.lower())
    if not (same_host and base.path.startswith(site.path)):
        raise ValueError(say("plaque_base {base!r} must start with the site_url {url!r}", base=plaque_base(guide),
                             url=guide.site_url))
    folder = base.path[len(site.path):]
    first = folder.split("/")[0].lower()
    if not folder.endswith("/") or not first or first in (*guide.languages, *ROOT_NAMES):
        raise ValueError(say("plaque_base {base!r} must end with a folder of its own, such as {example!r}",
                             base=plaque_base(guide), example=guide.site_url.upper() + "Q/"))
    return folder


def _json(value: object) -> Markup:
    return Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c"))


def chooser_page(guide: Guide, path: str, slug: str | None, title: str) -> str:
    """A page that opens `slug` (or the home page) in the visitor's language."""
    targets = {lang: relative(path, site_path(lang, slug)) for lang in guide.languages}
    return with_policy(render_template(
        "chooser.html",
        title=title,
        default=guide.default_language,
        fallback=guide.settings.fallback,
        targets=targets,
        targets_json=_json(targets),
        canonical=guide.site_url + site_path(guide.default_language, slug),
    ))


def redirect_page(guide: Guide, path: str, target: str, title: str) -> str:
    """A page that sends visitors (and search engines) from an old address to `target` (site-root path)."""
    href = relative(path, target)
    return with_policy(render_template(
        "redirect.html", title=title, target=href, target_json=_json(href), canonical=guide.site_url + target
    ))


def plaque_pages(guide: Guide, plaque_id: str, slug: str, title: str) -> dict[str, str]:
    """The printed address, in upper and lower case, with and without a trailing slash."""
    printed = plaque_folder(guide) + plaque_id
    # Both cases sit at the same depth, so their relative links (and pages) are the same.
    in_folder, as_file = chooser_page(guide, f"{printed}/", slug, title), chooser_page(guide, printed, slug, title)
    files = {}
    for form in {printed, printed.lower()}:
        files[f"{form}/index.html"], files[f"{form}.html"] = in_folder, as_file
    return files


def old_slug_pages(guide: Guide, old_slug: str, new_slug: str, title: str) -> dict[str, str]:
    """Keep every language's old page address working after a slug change."""
    return {
        f"{site_path(lang, old_slug)}index.html": redirect_page(
            guide, site_path(lang, old_slug), site_path(lang, new_slug), title
        )
        for lang in guide.languages
    }


def sitemap(guide: Guide) -> str:
    """One sitemap for all languages, each page listing its absolute hreflang alternates and, as
    x-default (for readers of other languages), the fallback language's page (English unless set).

    Alternates live here rather than in each page's <head>: Material's JavaScript fetches
    `sitemap.xml` relative to every `<link rel=alternate>` it finds, which would cost each visitor
    extra requests (and requests to the production host while previewing).
    """
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    areas = area_slugs(site.area[guide.default_language] for site in guide.sites)
    for slug in [None, *(site.slug for site in guide.sites), *(area_page(area) for area in sorted(areas.values()))]:
        targets = [(html_lang(lang), guide.site_url + site_path(lang, slug)) for lang in guide.languages]
        x_default = guide.site_url + site_path(guide.settings.fallback, slug)
        alternates = [
            f'<xhtml:link rel="alternate" hreflang="{hreflang}" href={quoteattr(href)}/>'
            for hreflang, href in [*targets, ("x-default", x_default)]
        ]
        for lang in guide.languages:
            lines.append(f"<url><loc>{escape(guide.site_url + site_path(lang, slug))}</loc>{''.join(alternates)}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def root_files(guide: Guide) -> dict[str, str]:
    """The site root: language chooser, sitemap, robots.txt."""
    title = guide.settings.title[guide.default_language]
    host_path = urlsplit(guide.site_url).path
    return {
        "index.html": chooser_page(guide, "", None, title),
        "sitemap.xml": sitemap(guide),
        "robots.txt": f"User-agent: *\nAllow: {host_path}\nSitemap: {guide.site_url}sitemap.xml\n",
    }
