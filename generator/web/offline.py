"""What "save this area for offline use" downloads, one list per area and language (offered on the area's
page and on each of its site pages, with its size shown beforehand); and the list "near me" reads, which a
saved area keeps too."""

from __future__ import annotations

import json
from pathlib import Path

from ..media.stage import MediaIndex, RenderedAudio, RenderedImage, tour_key, video_key
from ..source.load import Guide
from ..source.model import Site
from .addresses import plaque_folder
from .pages import NEAR_FILE, TOUR_SCRIPT, area_page, group_areas, near_list, offline_list, site_path

NEAR_SCRIPT = "assets/near.js"  # shared by every language; loaded by guide.js when "near me" is tapped


def language_files(guide: Guide, media: MediaIndex, output: Path) -> dict[str, str]:
    """Each language's near-me list and offline lists, by path under the site root (`output` holds the
    pages and media already: the lists give their sizes)."""
    files = {}
    for language in guide.languages:
        near = near_list(guide, language)
        files[f"{language}/{NEAR_FILE}"] = near
        files.update(area_lists(guide, language, media, output, len(near.encode())))
    return files


def area_lists(guide: Guide, language: str, media: MediaIndex, output: Path, near_bytes: int) -> dict[str, str]:
    """Each area's {urls, bytes}: the area's page, the home page and "near me" (its script and list, so it
    works without signal), each site page of the area, its plaque address pages (so scanning the plaque
    works without signal), its pictures (the 960 px variant; the service worker substitutes it for other
    widths offline), its narration in this language, and its video's poster and its tour's preview."""
    folder = plaque_folder(guide)
    shared = {site_path(language): output / site_path(language) / "index.html", NEAR_SCRIPT: output / NEAR_SCRIPT}
    shared_bytes = near_bytes + sum(file.stat().st_size for file in shared.values())
    lists: dict[str, str] = {}
    for area in group_areas(guide):
        page = site_path(language, area_page(area.slug))
        urls, size = [page, *shared, f"{language}/{NEAR_FILE}"], shared_bytes + (output / page / "index.html").stat().st_size
        for site in area.sites:
            pages = list(dict.fromkeys([site_path(language, site.slug), f"{folder}{site.id}/", f"{folder}{site.id}/".lower()]))
            kept = _media_kept(site, language, media)
            urls += [*pages, *kept]
            size += sum((output / url / "index.html").stat().st_size for url in pages)
            size += sum((output / path).stat().st_size for path in kept)
        lists[offline_list(language, area.slug)] = json.dumps({"urls": urls, "bytes": size}, ensure_ascii=False)
    return lists


def _media_kept(site: Site, language: str, media: MediaIndex) -> list[str]:
    """A site's pictures (the 960 px variant) and its narration in `language`."""
    kept = []
    for image in site.images:
        rendered = media[image.file]
        assert isinstance(rendered, RenderedImage)
        kept.append(next((v for v in rendered.webp if v.width >= 960), rendered.largest).path)
    if language in site.audio:
        audio = media[site.audio[language]]
        assert isinstance(audio, RenderedAudio)
        kept.append(audio.path)
    # What the page shows of its video and its tour before a tap (the film and the tour itself are left out).
    if site.video:
        kept.append(media[video_key(site.video)].poster)
    if site.panoramas:
        kept += [media[tour_key(site.panoramas[0].file)].preview.path, TOUR_SCRIPT]
    return kept
