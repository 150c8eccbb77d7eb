"""What "save this area for offline use" downloads, per language, with its size shown beforehand."""

from __future__ import annotations

import json
from pathlib import Path

from .addresses import plaque_folder
from .load import Guide
from .media import MediaIndex, RenderedAudio, RenderedImage
from .pages import site_path

OFFLINE_FILE = "offline.json"


def area_manifest(guide: Guide, language: str, media: MediaIndex, output: Path) -> str:
    """{area: {urls, bytes}}: each site page of the area, its plaque address pages (so scanning the
    plaque works without signal), its pictures (the 960 px variant; the service worker substitutes it
    for other widths offline) and its narration in this language."""
    folder = plaque_folder(guide)
    areas: dict[str, dict[str, object]] = {}
    for site in guide.sites:
        pages = [site_path(language, site.slug), f"{folder}{site.id}/", f"{folder}{site.id}/".lower()]
        urls = list(dict.fromkeys(pages))
        files = [output / url / "index.html" for url in urls]
        for image in site.images:
            rendered = media[image.file]
            assert isinstance(rendered, RenderedImage)
            variant = next((v for v in rendered.webp if v.width >= 960), rendered.largest)
            urls.append(variant.path)
        if language in site.audio:
            rendered_audio = media[site.audio[language]]
            assert isinstance(rendered_audio, RenderedAudio)
            urls.append(rendered_audio.path)
        files += [output / url for url in urls[len(files):]]
        area = areas.setdefault(site.area[guide.default_language], {"urls": [], "bytes": 0})
        area["urls"] += urls  # type: ignore[operator]
        area["bytes"] += sum(file.stat().st_size for file in files)  # type: ignore[operator]
    return json.dumps(areas, ensure_ascii=False, sort_keys=True)
