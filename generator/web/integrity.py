"""Link integrity of a built site: every address it hands out inside itself leads to a file.

Pure: a built folder in, problems out (nothing is written). Checked, in every HTML page: `href`,
`src`, `srcset` and `poster` (links, language alternates and the switcher, image variants, audio),
`<meta http-equiv=refresh>` targets, absolute addresses on the guide's own `site_url` (canonical,
Open Graph) and the search page's index and summary shards (and the site pages its results open);
every `<loc>` and `xhtml:link` of every `sitemap.xml`; every URL of the offline areas
(`<lang>/area/<slug>/offline.json`); and the addresses the caller requires (plaque addresses, old slugs).

An address resolves as a static host resolves it: `x/` and `x` (a folder) to `x/index.html`, `x` to
the file `x` or `x.html`. Other hosts' addresses and `mailto:`, `geo:`, `tel:`, `data:` are not
followed. Fast enough to run after every build: one walk of the folder, a byte-level regex over each
page, and set lookups (0.6 s for the 7,000 pages, 55 MB, of 1,000 sites in three languages).
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..messages import say
from ..problems import GuideError, Problem

__all__ = ["check", "verify"]

SHOWN = 50  # problems listed when a build fails; the rest are counted
# After a space, as every page this generator and MkDocs write has them (a literal first byte makes the
# scan about five times faster than any whitespace: 0.2 s for a province's 55 MB of pages)
_ATTRIBUTE = re.compile(
    rb""" (href|src|srcset|poster|content|data-guide-index|data-guide-shard|data-guide-per-shard)"""
    rb"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_REFRESH = re.compile(rb"^\s*\d+\s*;\s*url\s*=\s*(.+)$", re.IGNORECASE)
_SRCSET_URL = re.compile(rb"(?:^|,)\s*([^\s,][^\s]*)")
_UNKNOWN = object()
_SITEMAP_URL = re.compile(rb"<loc>([^<]*)</loc>|<xhtml:link\b[^>]*?\shref=\"([^\"]*)\"")


Links = tuple[tuple[str, str, str], ...]  # (attribute, address, where it leads) of one page
_pages: dict[tuple[str, int, int, int, str], tuple[Links, dict[str, str]]] = {}


class _Site:
    """The built folder as sets of relative paths, and how an address inside it resolves."""

    def __init__(self, folder: Path, site_url: str) -> None:
        self.folder = folder
        self.site_url = site_url.rstrip("/") + "/"
        parts = urlsplit(self.site_url)
        self.origin = f"{parts.scheme}://{parts.netloc}".lower()
        self.base_path = parts.path  # the site's own path on its host, e.g. '/' or '/Repo/'
        self.files: set[str] = set()
        self.folders: set[str] = {""}
        start = len(str(folder)) + 1
        for where, subfolders, names in os.walk(folder):
            relative = where[start:]
            prefix = f"{relative}/" if relative else ""
            self.folders.update(prefix + name for name in subfolders)
            self.files.update(prefix + name for name in names)
        self._resolved: dict[tuple[str, str | bytes], object] = {}
        self._exists: dict[str, bool] = {}
        self.seen: dict[tuple[str, int, int, int, str], tuple[Links, dict[str, str]]] = {}  # this check's pages

    def resolve(self, ancestors: list[str], url: str | bytes) -> str | None:
        """Where `url`, found in the folder `ancestors[0]` (whose parents follow), leads: a path in the
        site ('..': outside it), or None when it is not followed (another host, mailto:...). Remembered
        by the folder a '../' climbs to: the pages of a language share most of their links."""
        up, climbs = ("../", "./") if isinstance(url, str) else (b"../", b"./"), 0
        while url.startswith(up[0], 3 * climbs):  # type: ignore[arg-type]
            climbs += 1
        key = (ancestors[climbs], url[3 * climbs:] or up[1]) if climbs < len(ancestors) else (ancestors[0], url)
        found = self._resolved.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            address = key[1] if isinstance(key[1], str) else key[1].decode("utf-8", "replace")
            found = self._resolved[key] = self._target(key[0], address)
        return found  # type: ignore[return-value]

    def broken(self, ancestors: list[str], url: str | bytes) -> str | None:
        """Where `url` leads when that is not a file of the site, else None."""
        target = self.resolve(ancestors, url)
        return None if target is None or self.found(target) else target

    def found(self, target: str) -> bool:
        known = self._exists.get(target)
        if known is None:
            known = self._exists[target] = target != ".." and self.exists(target)
        return known

    def _target(self, base: str, url: str) -> str | None:
        if "&" in url:
            url = html.unescape(url)
        url = url.strip().split("#", 1)[0].split("?", 1)[0]
        if not url:
            return None
        if _SCHEME.match(url) or url.startswith("//"):
            absolute = (self.origin.partition(":")[0] + ":" + url) if url.startswith("//") else url
            if not absolute.lower().startswith(self.origin + "/") and absolute.lower() != self.origin:
                return None  # another host, or mailto:, geo:, tel:, data:, javascript:
            url = absolute[len(self.origin):] or "/"
        if url.startswith("/"):
            if not url.startswith(self.base_path) and url + "/" != self.base_path:
                return ".."
            segments, url = [], url[len(self.base_path):]
        else:
            segments = base.split("/") if base else []
        for part in unquote(url).split("/"):
            if part == "..":
                if not segments:
                    return ".."
                segments.pop()
            elif part and part != ".":
                segments.append(part)
        folder_like = url.endswith("/") or url.endswith("/.") or url.endswith("/..") or url in (".", "..")
        path = "/".join(segments)
        return f"{path}/" if folder_like and path else path if not folder_like else ""

    def exists(self, path: str) -> bool:
        if path == "" or path.endswith("/"):
            return f"{path}index.html" in self.files
        return path in self.files or f"{path}.html" in self.files or (
            path in self.folders and f"{path}/index.html" in self.files)


def _page_links(page: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(attribute, address) of every address a page hands out, as bytes (decoded only when new). Only in
    a tag and not inside another attribute's quoted value: text that shows markup (`&lt;img src=x&gt;`,
    a volunteer's HTML shown as text, in a paragraph or a `content="…"`) is no link."""
    for match in _ATTRIBUTE.finditer(page):
        start = match.start()
        tag = page.rfind(b"<", 0, start)
        if tag < page.rfind(b">", 0, start) or page.count(b'"', tag, start) % 2:
            continue
        name, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        if name == b"srcset":  # 'url [descriptor], url [descriptor]': a url runs to whitespace (data: urls hold commas)
            for address in _SRCSET_URL.findall(value):
                address = address.rstrip(b",")
                if address and not address.startswith(b"data:"):
                    yield name, address
        elif name == b"content":
            refresh = _REFRESH.match(value)
            if refresh:
                yield b"refresh", refresh.group(1).strip().strip(b"'\"")
            elif b"://" in value and b" " not in value:
                yield name, value  # an absolute address (canonical, og:image): followed when on this site
        else:
            yield name, value


def _ancestors(folder: str) -> list[str]:
    """A folder and each folder above it, up to the root ('')."""
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:end]) for end in range(len(parts), -1, -1)]


def _problem(file: str, field: str, url: str, target: str) -> Problem:
    if target == "..":
        return Problem(file, 0, 0, field, say("{url} leads outside the built site", url=url))
    return Problem(file, 0, 0, field, say("{url} is not in the built site", url=url))


def _links_of(site: _Site, name: str) -> tuple[Links, dict[str, str]]:
    """Every followed address of a page, resolved, and its search settings. Remembered for the life of
    the process by the file's identity: a rebuild hard-links its unchanged pages, so `serve` reads only
    the pages an edit changed (the whole check read a province's 55 MB of pages in 0.6 s)."""
    status = os.stat(site.folder / name)
    identity = (name, status.st_ino, status.st_size, status.st_mtime_ns, site.site_url)
    known = _pages.get(identity)
    if known is None:
        ancestors = _ancestors(name.rpartition("/")[0])
        links: list[tuple[str, str, str]] = []
        search: dict[str, str] = {}
        for attribute, url in _page_links((site.folder / name).read_bytes()):
            if attribute.startswith(b"data-guide-"):
                search[attribute.decode()] = url.decode("utf-8", "replace")
                if attribute != b"data-guide-index":
                    continue  # a template and a count: checked with the index below
            target = site.resolve(ancestors, url)
            if target is not None:
                links.append((attribute.decode(), url.decode("utf-8", "replace"), target))
        known = (tuple(links), search)
    site.seen[identity] = known
    return known


def _check_page(site: _Site, name: str, problems: list[Problem], searches: list[tuple[str, dict[str, str]]]) -> None:
    links, search = _links_of(site, name)
    for attribute, url, target in links:
        if not site.found(target):
            problems.append(_problem(name, attribute, url, target))
    if "data-guide-index" in search:
        searches.append((name, search))


def _check_search(site: _Site, name: str, search: dict[str, str], problems: list[Problem]) -> None:
    """The search page's index, every summary shard its sites need, and every page a result opens."""
    base = name.rpartition("/")[0]
    ancestors = _ancestors(base)
    index = site._target(base, search["data-guide-index"])
    if index is None or index not in site.files:
        return  # reported with the page's links
    try:
        sites = json.loads((site.folder / index).read_text(encoding="utf-8"))["sites"]
        per_shard = int(search.get("data-guide-per-shard", "0"))
    except (OSError, ValueError, KeyError, TypeError):
        problems.append(Problem(index, 0, 0, "", say("not a search index the search page can read")))
        return
    template = search.get("data-guide-shard", "")
    if template and per_shard > 0:
        for number in range(math.ceil(len(sites) / per_shard)):
            url = template.replace("{number}", str(number))
            target = site.broken(ancestors, url)
            if target is not None:
                problems.append(_problem(name, "data-guide-shard", url, target))
    for entry in sites:
        url = f"../{entry[0]}/"  # as search.js opens a result
        target = site.broken(ancestors, url)
        if target is not None:
            problems.append(_problem(index, "sites", url, target))


def _check_sitemap(site: _Site, name: str, problems: list[Problem]) -> None:
    for match in _SITEMAP_URL.finditer((site.folder / name).read_bytes()):
        url = (match.group(1) or match.group(2) or b"").decode("utf-8", "replace").strip()
        target = site.broken([""], url) if url.lower().startswith(site.origin + "/") else ".."
        if target is not None:
            problems.append(_problem(name, "loc" if match.group(1) is not None else "xhtml:link", url, target))


def _check_offline(site: _Site, name: str, problems: list[Problem]) -> None:
    """An offline area's URLs are relative to the site root (the service worker's scope)."""
    try:
        area = json.loads((site.folder / name).read_text(encoding="utf-8"))
        urls = [str(url) for url in area["urls"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        problems.append(Problem(name, 0, 0, "", say("not an offline-area file the pages can read")))
        return
    for url in urls:
        target = site.broken([""], url)
        if target is not None:
            problems.append(_problem(name, "urls", url, target))


def check(folder: Path, site_url: str, required: Iterable[str] = ()) -> list[Problem]:
    """Every problem of the built site in `folder` (published at `site_url`); `required` are addresses
    relative to the site root that must resolve (plaque addresses, old page addresses)."""
    site = _Site(folder, site_url)
    problems: list[Problem] = []
    searches: list[tuple[str, dict[str, str]]] = []
    for name in sorted(site.files):
        if name.endswith(".html"):
            _check_page(site, name, problems, searches)
        elif name.rpartition("/")[2] == "sitemap.xml":
            _check_sitemap(site, name, problems)
        elif name.rpartition("/")[2] == "offline.json":
            _check_offline(site, name, problems)
    for name, search in searches:
        _check_search(site, name, search, problems)
    for address in required:
        if site.broken([""], address) is not None:
            problems.append(Problem(address, 0, 0, "", say("this address must keep working, but it was not built")))
    _pages.clear()  # only the pages of the latest site are worth remembering
    _pages.update(site.seen)
    return problems


def verify(folder: Path, site_url: str, required: Iterable[str] = ()) -> None:
    """Raise GuideError when the built site in `folder` is not whole (at most SHOWN problems listed)."""
    problems = check(folder, site_url, required)
    if problems:
        shown = problems[:SHOWN]
        if len(problems) > SHOWN:
            shown.append(Problem("~", 0, 0, "", say("and {count} more", count=len(problems) - SHOWN)))
        raise GuideError([Problem("", 0, 0, "", say(
            "the built site is not whole: these addresses in it lead nowhere (a link written in a site's text, "
            "or a fault of the generator to report); the previous site is kept")), *shown])
