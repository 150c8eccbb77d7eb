"""Render stage for pages: validated guide → the Markdown documents of one language's MkDocs build.

Pure: takes the guide, a language and the rendered media, returns {docs path: text}. Volunteer text is
escaped by Jinja's autoescape or rendered by `safe_markdown`; nothing they write reaches the page raw.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache, cached_property, partial

import yaml
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .. import safe_markdown
from ..cache import key
from ..i18n import (
    Translator,
    _,
    babel_locale,
    format_duration,
    html_lang,
    language_name,
    language_name_in,
    og_locale,
    without_marks,
)
from ..media.stage import MediaIndex, RenderedAudio, RenderedImage, tour_key, video_key
from ..source.load import Guide, area_key
from ..source.model import Site, Video
from .lunar import next_dates
from .maps import map_links
from .viewer import viewer_files

FastDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: the pure-Python emitter was a third of the page time
NEARBY_COUNT = 3
EARTH_RADIUS_KM = 6371.0088

CATEGORY_LABELS = {
    "temple": _("Temples"),
    "communal-house": _("Communal houses"),
    "shrine": _("Shrines"),
    "pagoda": _("Pagodas"),
    "border-marker": _("Border markers"),
    "memorial": _("Memorials"),
    "battlefield": _("Battlefields"),
    "church": _("Churches"),
    "museum": _("Museums"),
    "tomb": _("Tombs"),
    "landscape": _("Landscapes"),
    "other": _("Other sites"),
}
STATUS_LABELS = {
    "closed": _("This site is closed at the moment."),
    "restoration": _("This site is under restoration."),
}


@dataclass(frozen=True)
class Shown:
    """A text in the reader's language, or in the default language when not yet translated."""

    text: str
    lang: str
    fallback: bool


def pick(texts: dict[str, str] | None, language: str, default: str) -> Shown | None:
    if not texts:
        return None
    if language in texts:
        return Shown(texts[language], language, False)
    return Shown(texts[default], default, True)


def site_path(language: str, slug: str | None = None) -> str:
    """Path of a page from the site root; every page is a folder so addresses have no .html."""
    return f"{language}/{slug}/" if slug else f"{language}/"


def relative(from_path: str, to_path: str) -> str:
    """A link from the page at `from_path` to `to_path` (both from the site root) that works wherever
    the site is hosted (a domain root or a sub-folder)."""
    here = from_path.split("/")[:-1]  # folders of the page; the part after the last '/' is a file
    there = to_path.split("/")
    shared = 0
    while shared < min(len(here), len(there) - 1) and here[shared] == there[shared]:
        shared += 1
    return "../" * (len(here) - shared) + "/".join(there[shared:]) or "./"


AREA_PAGE_PREFIX = "area/"  # "area" is a reserved slug (model.RESERVED_SLUGS): no site takes this folder
# The viewer's own words (Pannellum sets some as HTML: escaped), in the reader's language.
VIEWER_STRINGS = {
    "loadingLabel": _("Loading…"),
    "genericWebGLError": _("This browser cannot show 360° pictures (it has no WebGL). Try another browser."),
    "fileAccessError": _("The picture %s could not be loaded. Check the connection and try again."),
    "unknownError": _("The 360° picture could not be shown."),
    "textureSizeError": _("This 360° picture is too large for this phone."),
}
TOUR_SCRIPT = "assets/tour.js"  # loaded by the pages that have a tour; it loads the viewer on a tap
NEAR_FILE = "near.json"  # each language's list of every site's position and name, for "near me"
NEAR_SCALE = 10_000  # positions in the list are degrees × this, as integers: about 11 m


def ascii_slug(text: str) -> str:
    """'Quảng Yên' → 'quang-yen': letters without their marks (đ → d), other characters dropped."""
    folded = unicodedata.normalize("NFKD", without_marks(text)).encode("ascii", "ignore")
    return "-".join(re.findall(r"[a-z0-9]+", folded.decode().lower()))


def area_slugs(names: Iterable[str]) -> dict[str, str]:
    """A page address for each area name (in the default language). Names that fold to the same letters
    (Quảng Yên, Quang Yên) or to none (a name in Chinese) get a few characters of their own name's hash,
    so an area's address depends on its name alone, never on the order of sites or areas."""
    names = sorted(set(names))
    folded = {name: ascii_slug(name) for name in names}
    counts: dict[str, int] = {}
    for slug in folded.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {
        name: slug if slug and counts[slug] == 1
        else "-".join(filter(None, (slug, hashlib.sha256(name.encode()).hexdigest()[:6])))
        for name, slug in folded.items()
    }


def area_page(slug: str) -> str:
    """The name of an area's page in a language folder (as a site's slug is): `<lang>/area/<slug>/`."""
    return AREA_PAGE_PREFIX + slug


OFFLINE_FILE = "offline.json"


def offline_list(language: str, slug: str) -> str:
    """Where an area's offline list is (from the site root): in its page's folder, so a page that offers
    to save the area reads only that area's list."""
    return site_path(language, area_page(slug)) + OFFLINE_FILE


@dataclass(frozen=True)
class Area:
    """A town or district and its sites, in the order its page lists them."""

    key: str  # the name in the default language: groups the sites, names the area's offline list
    slug: str
    sites: tuple[Site, ...]  # by category (in CATEGORY_LABELS order), then by name in the default language

    @property
    def names(self) -> dict[str, str]:
        """The area's name in every language, as its first site gives it."""
        return self.sites[0].area


def group_areas(guide: Guide) -> list[Area]:
    """Every area, by name in the default language (a stable order), with its sites."""
    default, categories = guide.default_language, list(CATEGORY_LABELS)
    ordered = sorted(guide.sites, key=lambda s: (s.area[default], categories.index(s.category), s.name[default]))
    grouped = [(name, tuple(sites)) for name, sites in itertools.groupby(ordered, key=lambda s: s.area[default])]
    slugs = area_slugs(name for name, _sites in grouped)
    return [Area(name, slugs[name], sites) for name, sites in grouped]


def near_list(guide: Guide, language: str) -> str:
    """What "near me" downloads after the tap: every site's position, slug and name in `language`
    (`[lat, lon, slug, name]`, with a fifth item 1 when the name is in `fallback` instead), about 20
    bytes a site gzipped. Sorted by slug so similar names sit together and compress."""
    rows: list[list[object]] = []
    for site in sorted(guide.sites, key=lambda s: s.slug):
        name = pick(site.name, language, guide.default_language)
        assert name
        rows.append([round(site.location.lat * NEAR_SCALE), round(site.location.lon * NEAR_SCALE), site.slug, name.text,
                     *([1] if name.fallback else [])])
    data = {"scale": NEAR_SCALE, "fallback": html_lang(guide.default_language), "sites": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def distance_km(a: Site, b: Site) -> float:
    """Great-circle distance (haversine), accurate enough to rank and show nearby sites."""
    lat1, lon1, lat2, lon2 = map(
        math.radians, (a.location.lat, a.location.lon, b.location.lat, b.location.lon)
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


NEARBY_SITES_PER_CELL = 3  # grid cells sized for about this many sites each, on average
MIN_CELL_DEGREES = 1e-4  # about 10 m

Nearby = dict[str, list[tuple[Site, float]]]


def _ring(row: int, column: int, radius: int) -> list[tuple[int, int]]:
    """The grid cells at exactly `radius` cells from (row, column)."""
    if radius == 0:
        return [(row, column)]
    across = range(column - radius, column + radius + 1)
    down = range(row - radius + 1, row + radius)
    return ([(row - radius, c) for c in across] + [(row + radius, c) for c in across]
            + [(r, column - radius) for r in down] + [(r, column + radius) for r in down])


def nearby_sites(sites: tuple[Site, ...], count: int = NEARBY_COUNT) -> Nearby:
    """The `count` closest other sites of every site (by distance, then slug), keyed by plaque id.

    Sites are put in a grid (cells sized to the sites' density) and searched ring by ring outwards, stopping once no
    site beyond the ring can be closer (a lower bound on the great-circle distance of points that far
    apart in latitude or longitude): a province costs a few dozen distances per site, not every pair."""
    lats, lons = [site.location.lat for site in sites], [site.location.lon for site in sites]
    area = (max(lats, default=0) - min(lats, default=0)) * (max(lons, default=0) - min(lons, default=0))
    size = max(math.sqrt(area * NEARBY_SITES_PER_CELL / max(len(sites), 1)), MIN_CELL_DEGREES)

    def cell(site: Site) -> tuple[int, int]:
        return math.floor(site.location.lat / size), math.floor(site.location.lon / size)

    grid: dict[tuple[int, int], list[Site]] = {}
    for site in sites:
        grid.setdefault(cell(site), []).append(site)
    rows, columns = [key[0] for key in grid], [key[1] for key in grid]
    widest = max(max(rows) - min(rows), max(columns) - min(columns), 0) if grid else 0
    cos_widest = min((math.cos(math.radians(site.location.lat)) for site in sites), default=1.0)
    found: Nearby = {}
    for site in sites:
        row, column = cell(site)
        best: list[tuple[float, str, Site]] = []
        for radius in range(widest + 1):
            best += [(distance_km(site, other), other.slug, other)
                     for key in _ring(row, column, radius) for other in grid.get(key, ()) if other.id != site.id]
            best = sorted(best, key=lambda entry: entry[:2])[:count]
            apart = math.radians(radius * size)  # any site outside this ring is at least this far
            beyond = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, cos_widest * math.sin(apart / 2)))
            if len(best) == count and best[-1][0] < beyond:
                break
        found[site.id] = [(other, km) for km, _slug, other in best]
    return found


WALKING_KM = 2.0  # nearer than this, the page also gives the time on foot
WALKING_KM_PER_HOUR = 4.5
ROUTE_FACTOR = 1.3  # paths are longer than the straight line between two points


def walking_seconds(km: float) -> float:
    """About how long the walk takes, rounded to whole minutes."""
    return max(1, round(km * ROUTE_FACTOR / WALKING_KM_PER_HOUR * 60)) * 60


def format_megabytes(size: int, language: str) -> str:
    """'0,2 MB' / '0.2 MB', as the reader's locale writes numbers."""
    return format_unit(round(size / 1_000_000, 1), "digital-megabyte", length="short", format="#,##0.0",
                       locale=babel_locale(language))


def format_distance(km: float, language: str) -> str:
    """'850 m' or '1,2 km' / '1.2 km' / '1.2公里', as the reader's locale writes it."""
    locale = babel_locale(language)
    if km < 1:
        return format_unit(max(10, round(km * 100) * 10), "length-meter", length="short", locale=locale)
    return format_unit(round(km, 1), "length-kilometer", length="short", format="#,##0.#", locale=locale)


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),  # the YAML template is not HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(html_lang=html_lang, language_name=language_name, Markup=Markup)
    return env


def render_template(template: str, /, **values: object) -> str:
    return _environment().get_template(template).render(**values)


def _front_matter(title: str, description: str, **values: object) -> str:
    """Page metadata for MkDocs. Material prints the title and description without escaping them,
    so volunteer text is escaped here, once."""
    values = {"title": str(escape(title)), "description": str(escape(description)), **values}
    return "---\n" + yaml.dump(values, Dumper=FastDumper, allow_unicode=True, sort_keys=False) + "---\n\n"


def page_document(front: dict[str, object], html: str) -> str:
    """A finished MkDocs document: front matter (volunteer text escaped) and one block of HTML."""
    # Blank lines would end MkDocs' raw HTML block; the fragment is one block of HTML.
    return _front_matter(**front) + "\n".join(line for line in html.splitlines() if line.strip()) + "\n"


def footer(guide: Guide, language: str, organisation: str | None) -> str:
    """The footer line of a page (HTML, volunteer text escaped): the organisation that looks after what it shows
    (None: the guide's publisher) and the licence of texts and photos."""
    t, settings = Translator(language), guide.settings
    line = escape(f"© {guide.organisation_name(organisation, language)}")
    if settings.licence:
        name = escape(settings.licence.name)
        if settings.licence.url:
            name = Markup('<a href="{}" rel="license noopener">{}</a>').format(settings.licence.url, name)
        line += Markup(" · ") + t(_("Texts and photos: {licence}"), licence=name)
    return str(line)


class LanguagePages:
    """Everything that is the same for all pages of one language."""

    def __init__(self, guide: Guide, language: str, media: MediaIndex, near: Nearby, today: date) -> None:
        self.guide, self.language, self.media, self.nearby = guide, language, media, near
        self.today = today  # festivals' next days count from here
        self.default = guide.default_language
        self.t = Translator(language)

    def shown(self, texts: dict[str, str] | None) -> Shown | None:
        return pick(texts, self.language, self.default)

    def alternates(self, slug: str | None) -> list[dict[str, object]]:
        here = site_path(self.language, slug)
        return [
            {
                "lang": lang,
                "hreflang": html_lang(lang),
                "name": language_name(lang),
                "href": relative(here, site_path(lang, slug)),
                "current": lang == self.language,
            }
            for lang in self.guide.languages
        ]

    @cached_property
    def areas(self) -> list[Area]:
        return group_areas(self.guide)

    @cached_property
    def area_slug(self) -> dict[str, str]:
        """Area page slugs by area name in the default language."""
        return {area.key: area.slug for area in self.areas}

    def offline(self, here: str, area_slug: str, name: Shown) -> dict[str, str]:
        """What the "save this area" button needs: the area's list and its name."""
        return {"list": relative(here, offline_list(self.language, area_slug)), "area": name.text}

    def count_sites(self, count: int) -> str:
        """'1 site', '1,000 sites': in the plural form the reader's language uses (Vietnamese and Chinese have one)."""
        locale = babel_locale(self.language)
        message = _("{count} site") if locale.plural_form(count) == "one" else _("{count} sites")
        return self.t(message, count=format_decimal(count, locale=locale))

    def home(self) -> str:
        """The areas with their number of sites, and "near me": the same size for ten sites or ten thousand."""
        here = site_path(self.language)
        areas = [
            {
                "name": self.shown(area.names),
                "href": relative(here, site_path(self.language, area_page(area.slug))),
                "count": self.count_sites(len(area.sites)),
            }
            for area in self.areas
        ]
        title = self.shown(self.guide.settings.title)
        html = render_template("home.html", t=self.t, title=title, areas=areas)
        front = {
            "title": title.text,
            "description": self.t("Audio guide and directions to {count} historic sites.", count=len(self.guide.sites)),
            "hide": ["navigation", "toc"],
            "guide_alternates": self.alternates(None),
        }
        return page_document(front, html)

    def area(self, area: Area) -> str:
        """One area's sites by category: names and links only, so a large town stays a light page."""
        page = area_page(area.slug)
        here = site_path(self.language, page)
        name = self.shown(area.names)
        assert name
        categories = [
            {"label": self.t(CATEGORY_LABELS[category]),
             "sites": [{"name": self.shown(site.name), "href": relative(here, site_path(self.language, site.slug))}
                       for site in sites]}
            for category, sites in itertools.groupby(area.sites, key=lambda s: s.category)
        ]
        html = render_template("area.html", t=self.t, name=name, offline=self.offline(here, area.slug, name),
                               categories=categories, count=self.count_sites(len(area.sites)),
                               home=relative(here, site_path(self.language)))
        front = {
            "title": name.text,
            "description": self.t("Historic sites in {area}: audio guide, photos and directions.", area=name.text),
            "hide": ["navigation", "toc"],
            "guide_alternates": self.alternates(page),
            "guide_footer": footer(self.guide, self.language, self.guide.area_organisations.get(area_key(area.key))),
        }
        return page_document(front, html)

    def _card(self, site: Site, here: str) -> dict[str, object]:
        return {
            "name": self.shown(site.name),
            "summary": self.shown(site.summary),
            "href": relative(here, site_path(self.language, site.slug)),
        }

    def _image(self, image, here: str, eager: bool) -> dict[str, object]:
        rendered = self.media[image.file]
        assert isinstance(rendered, RenderedImage)
        return {
            "srcset": ", ".join(f"{relative(here, v.path)} {v.width}w" for v in rendered.webp),
            "src": relative(here, rendered.jpeg.path),
            "width": rendered.largest.width,
            "height": rendered.largest.height,
            "alt": self.shown(image.alt),
            "caption": self.shown(image.caption),
            "credit": image.credit,
            "illustration": image.illustration,
            "eager": eager,
        }

    def _video(self, shown: Video, here: str) -> dict[str, object]:
        """The overview video: its poster, size and length shown before play; subtitles in every language it has,
        the reader's own first and on by default."""
        rendered = self.media[video_key(shown)]
        order = sorted(rendered.subtitles, key=lambda lang: lang != self.language)
        return {
            "src": relative(here, rendered.path),
            "poster": relative(here, rendered.poster),
            "width": rendered.width,
            "height": rendered.height,
            "duration": format_duration(rendered.seconds, self.language),
            "size": format_megabytes(rendered.size, self.language),
            "title": self.shown(shown.title),
            "illustration": shown.illustration,
            "tracks": [{"src": relative(here, rendered.subtitles[lang]), "lang": html_lang(lang), "label": language_name(lang),
                        "default": lang == self.language} for lang in order],
        }

    def _tour(self, site: Site, here: str) -> dict[str, object]:
        """The VR360 tour: a flat preview and the viewer's settings; the viewer itself loads only on a tap."""
        scenes, settings = [], {}
        for scene in site.panoramas:
            rendered = self.media[tour_key(scene.file)]
            image = rendered.pannellum(lambda path: relative(here, path))
            title = self.shown(scene.title)
            exits = [{"to": hotspot.to, "label": self.shown(hotspot.label)} for hotspot in scene.hotspots]
            settings[scene.id] = {**image, "title": title.text, "yaw": scene.yaw, "pitch": scene.pitch, "hfov": 100,
                                  "hotSpots": [{"type": "scene", "sceneId": hotspot.to, "yaw": hotspot.yaw,
                                                "pitch": hotspot.pitch, "text": way["label"].text}
                                               for hotspot, way in zip(scene.hotspots, exits, strict=True)]}
            scenes.append({"id": scene.id, "title": title, "exits": exits})
        first = self.media[tour_key(site.panoramas[0].file)]
        files = {scene.file for scene in site.panoramas}
        viewer = viewer_files()
        config = {"default": {"firstScene": site.panoramas[0].id, "autoLoad": True, "sceneFadeDuration": 400,
                              "strings": {name: str(escape(self.t(text))) for name, text in VIEWER_STRINGS.items()}},
                  "scenes": settings}
        return {
            "scenes": scenes,
            "config": json.dumps(config, ensure_ascii=False).replace("<", "\\u003c"),
            "poster": relative(here, first.preview.path),
            "poster_width": first.preview.width,
            "poster_height": first.preview.height,
            "size": format_megabytes(sum(self.media[tour_key(file)].size for file in files), self.language),
            "illustration": any(scene.illustration for scene in site.panoramas),
            "js": relative(here, viewer["js"][0]),
            "css": relative(here, viewer["css"][0]),
            "script": relative(here, TOUR_SCRIPT),
        }

    def site(self, site: Site) -> str:
        here = site_path(self.language, site.slug)
        name, summary, body = self.shown(site.name), self.shown(site.summary), self.shown(site.body)
        assert name and summary and body
        body_html = Markup(safe_markdown.render(body.text)[0])
        untranslated = name.fallback or summary.fallback or body.fallback
        audio = None
        if self.language in site.audio:
            rendered = self.media[site.audio[self.language]]
            assert isinstance(rendered, RenderedAudio)
            audio = {
                "src": relative(here, rendered.path),
                "size": format_megabytes(rendered.size, self.language),
                "duration": format_duration(rendered.seconds, self.language),
            }
        audio_elsewhere = [
            {"name": language_name(lang), "href": relative(here, site_path(lang, site.slug))}
            for lang in self.guide.languages
            if lang in site.audio and lang != self.language
        ]
        loc = site.location
        practical = site.practical
        area_name, area_slug = self.shown(site.area), self.area_slug[site.area[self.default]]
        assert area_name
        details = [
            (self.t(label), self.shown(getattr(practical, field)))
            for field, label in (("hours", _("Opening hours")), ("fee", _("Entrance fee")), ("festival", _("Festival")))
            if practical and getattr(practical, field)
        ]
        festival_dates = [
            {"iso": day.isoformat(), "text": format_date(day, format="full", locale=babel_locale(self.language))}
            for day in festival_days(site, self.today)
        ]
        html = render_template(
            "site.html",
            t=self.t,
            lang=self.language,
            site=site,
            home=relative(here, site_path(self.language)),
            area={"name": area_name,
                  "href": relative(here, site_path(self.language, area_page(area_slug)))},
            offline=self.offline(here, area_slug, area_name),
            nearby_radius=format_distance(self.guide.settings.nearby_km, self.language),
            name=name,
            summary=summary,
            body=body,
            body_html=body_html,
            untranslated=untranslated,
            default_name=language_name_in(self.default, self.language),
            reader_name=language_name_in(self.language, self.language),
            status=self.t(STATUS_LABELS[site.status]) if site.status in STATUS_LABELS else None,
            status_note=self.shown(site.status_note),
            audio=audio,
            audio_elsewhere=audio_elsewhere,
            images=[self._image(image, here, eager=index == 0) for index, image in enumerate(site.images)],
            video=self._video(site.video, here) if site.video else None,
            tour=self._tour(site, here) if site.panoramas else None,
            address=self.shown(loc.address),
            maps=map_links(loc.lat, loc.lon, name.text, self.language),
            details=details,
            festival_dates=festival_dates,
            contact=practical.contact if practical else None,
            links=[{"url": link.url, "label": self.shown(link.label), "kind": link.kind} for link in site.links],
            nearby=[
                {**self._card(other, here), "distance": format_distance(km, self.language),
                 "walk": format_duration(walking_seconds(km), self.language) if km <= WALKING_KM else None}
                for other, km in self.nearby[site.id] if km <= self.guide.settings.nearby_km
            ],
            sources=[(source, source.startswith(("http://", "https://"))) for source in site.sources],
            uncertain=[self.shown(note) for note in site.uncertain],
        )
        front = {
            "title": name.text,
            "description": summary.text,
            "hide": ["navigation", "toc"],
            "guide_alternates": self.alternates(site.slug),
            "guide_footer": footer(self.guide, self.language, self.guide.organisation_of(site)),
            **self.sharing(site, name.text, summary.text),
        }
        return page_document(front, html)

    def sharing(self, site: Site, name: str, summary: str) -> dict[str, object]:
        """Open Graph and schema.org data: absolute URLs, as link previews and search engines need."""
        url = self.guide.site_url + site_path(self.language, site.slug)
        image = None
        if site.images:
            rendered = self.media[site.images[0].file]
            assert isinstance(rendered, RenderedImage)
            image = self.guide.site_url + rendered.jpeg.path
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": ["TouristAttraction", "LandmarksOrHistoricalBuildings"],
            "name": name,
            "description": summary,
            "url": url,
            "inLanguage": html_lang(self.language),
            "geo": {"@type": "GeoCoordinates", "latitude": site.location.lat, "longitude": site.location.lon},
        }
        address = self.shown(site.location.address)
        if address:
            data["address"] = address.text
        if image:
            data["image"] = image
        return {
            "guide_og": {"url": url, "image": image, "locale": og_locale(self.language)},
            "guide_jsonld": json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),
        }


@dataclass(frozen=True)
class PlannedPage:
    """A page to be: the key of everything it shows, and how to render it when that key is new."""

    key: str
    render: Callable[[], str]


FESTIVAL_DATES_SHOWN = 3  # a page left unbuilt for a year or two still shows the coming festival


def vietnam_today() -> date:
    """Today in Vietnam, whatever the clock of the computer that builds; SOURCE_DATE_EPOCH (reproducible
    builds, as MkDocs honours it) sets the day instead."""
    vietnam = timezone(timedelta(hours=7))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return (datetime.fromtimestamp(int(epoch), vietnam) if epoch else datetime.now(vietnam)).date()


def festival_days(site: Site, today: date) -> list[date]:
    """The festival's next days in the Gregorian calendar, from the lunar date in the site file."""
    lunar = site.practical.festival_lunar if site.practical else None
    return next_dates(lunar.month, lunar.day, today, FESTIVAL_DATES_SHOWN) if lunar else []


def plan_language(guide: Guide, language: str, media: MediaIndex, near: Nearby,
                  today: date | None = None) -> dict[str, PlannedPage]:
    """Every Markdown document of one language (its home page, one page per area and one per site), keyed
    by what it shows: a site page by its site, its area's address, its media and its nearby sites; an
    area page by the names, categories and slugs of its sites; the home page by each area's names,
    address and number of sites."""
    today = today or vietnam_today()
    pages = LanguagePages(guide, language, media, near, today)
    by_id = {entry.site.id: entry for entry in guide.files}
    settings = guide.settings_digest
    planned = {"index.md": PlannedPage(
        key("home", language, settings, len(guide.sites), [(area.slug, area.names, len(area.sites)) for area in pages.areas]),
        pages.home,
    )}
    for area in pages.areas:
        shown = [(site.slug, site.name, site.category, site.area) for site in area.sites]
        planned[f"{area_page(area.slug)}.md"] = PlannedPage(key("area", language, settings, area.key, area.slug, shown),
                                                            partial(pages.area, area))
    for entry in guide.files:
        site = entry.site
        shown_media = [media[image.file] for image in site.images] + [media[audio] for audio in site.audio.values()]
        shown_media += [media[video_key(site.video)]] if site.video else []
        shown_media += [media[tour_key(scene.file)] for scene in site.panoramas]
        viewer = [path for path, _source in viewer_files().values()] if site.panoramas else []
        neighbours = [(by_id[other.id].digest, km) for other, km in near[site.id]]
        planned[f"{site.slug}.md"] = PlannedPage(
            key("site", language, settings, entry.digest, pages.area_slug[site.area[guide.default_language]],
                shown_media, viewer, neighbours, [day.isoformat() for day in festival_days(site, today)]),
            partial(pages.site, site),
        )
    return planned
