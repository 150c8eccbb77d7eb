"""Links that open a site in a map app: one table of services and the address each wants.

Our coordinates are WGS84. Google, Apple and OpenStreetMap take WGS84; Amap (高德) and Baidu draw their
maps in their own systems (GCJ-02, BD-09) but accept WGS84 when told so (Amap's `coordinate=wgs84`,
Baidu's `coord_type=wgs84`), so nothing is converted here. Google is blocked in mainland China and on
Chinese roaming SIMs: Chinese readers get Amap and Baidu first. `geo:` opens the phone's own map app on
Android only (iPhone Safari ignores it); the page shows it where the script finds Android.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ..i18n import _

BAIDU_SOURCE = "webapp.quangninh.heritageguide"  # Baidu's URI API asks every caller to name itself


@dataclass(frozen=True)
class MapLink:
    service: str  # apple, google, osm, amap, baidu, geo: what the page script reorders by
    label: str  # in English, for the page's translator
    url: str


def _coordinate(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


Address = Callable[[str, str, str], str]  # (lat, lon, name) → URL
SERVICES: dict[str, tuple[str, Address]] = {
    "amap": (_("Amap"), lambda lat, lon, name: "https://uri.amap.com/marker?" + urlencode(
        {"position": f"{lon},{lat}", "name": name, "coordinate": "wgs84", "callnative": 1}, quote_via=quote)),
    "baidu": (_("Baidu Maps"), lambda lat, lon, name: "https://api.map.baidu.com/marker?" + urlencode(
        {"location": f"{lat},{lon}", "title": name, "content": name, "coord_type": "wgs84", "output": "html",
         "src": BAIDU_SOURCE}, quote_via=quote)),
    "apple": (_("Apple Maps"), lambda lat, lon, name: "https://maps.apple.com/?" + urlencode(
        {"ll": f"{lat},{lon}", "q": name}, quote_via=quote)),
    # Google's map links can name a point only by a place id; a bare coordinate is the reliable pin.
    "google": (_("Google Maps"), lambda lat, lon, name: "https://www.google.com/maps/search/?" + urlencode(
        {"api": 1, "query": f"{lat},{lon}"}, quote_via=quote)),
    "osm": (_("OpenStreetMap"), lambda lat, lon, name: f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"),
    "geo": (_("Open in the maps app"), lambda lat, lon, name: f"geo:{lat},{lon}?q={lat},{lon}({quote(name)})"),
}
ORDER = {"zh": ("amap", "baidu", "apple", "google", "osm")}  # by the reader's language
DEFAULT_ORDER = ("google", "apple", "osm")


def map_links(lat: float, lon: float, name: str, language: str) -> list[MapLink]:
    """The map services for a reader of `language`, the one most likely to open first, and `geo:` last
    (the page moves it first on Android, and Apple Maps first on iPhones)."""
    where = _coordinate(lat), _coordinate(lon)
    services = (*ORDER.get(language, DEFAULT_ORDER), "geo")
    return [MapLink(service, SERVICES[service][0], SERVICES[service][1](*where, name)) for service in services]
