"""Image pipeline, nearby sites, locale formatting, and the interface catalogs."""

from __future__ import annotations

import io
import math
import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.extract import extract_from_dir
from PIL import Image

from generator import i18n
from generator.cache import FileDigests, Store
from generator.media import stage
from generator.source.load import load_guide
from generator.web import pages
from tests.conftest import ROOT


def photo_with_gps(path: Path, size: tuple[int, int] = (2000, 1500)) -> None:
    image = Image.new("RGB", size, (90, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 32.0, 0.0), 3: "E", 4: (107.0, 57.0, 0.0)}  # GPS
    exif[0x0112] = 6  # orientation: rotate 90° to display
    image.save(path, "JPEG", exif=exif.tobytes())


def test_variants_sizes_formats_and_metadata(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    photo_with_gps(source)
    assert Image.open(source).getexif()  # the input really carries metadata

    rendered = stage.render_image(source, tmp_path / "cache", FileDigests(Store(tmp_path)))

    # Orientation applied: a 2000x1500 photo tagged "rotate 90°" is 1500 wide.
    assert (rendered.width, rendered.height) == (1500, 2000)
    widths = [variant.width for variant in rendered.webp]
    assert widths == sorted(widths) and widths[-1] == stage.WIDTHS[-1] and set(widths) <= {*stage.WIDTHS, 1500}
    for variant in (*rendered.webp, rendered.jpeg):
        with Image.open(tmp_path / "cache" / Path(variant.path).name) as image:
            assert image.format == ("WEBP" if variant.path.endswith(".webp") else "JPEG")
            assert image.size == (variant.width, variant.height)
            assert not image.getexif() and "exif" not in image.info
            assert math.isclose(image.width / image.height, 1500 / 2000, rel_tol=0.01)
    assert rendered.jpeg.width <= 960


def test_names_change_with_content_and_cache_is_reused(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    photo_with_gps(source, (800, 600))
    first = stage.render_image(source, tmp_path / "cache", FileDigests(Store(tmp_path)))
    mtime = (tmp_path / "cache" / Path(first.jpeg.path).name).stat().st_mtime_ns

    again = stage.render_image(source, tmp_path / "cache", FileDigests(Store(tmp_path)))
    assert again == first
    assert (tmp_path / "cache" / Path(first.jpeg.path).name).stat().st_mtime_ns == mtime  # not re-encoded

    Image.new("RGB", (800, 600), (200, 10, 10)).save(source, "JPEG")
    changed = stage.render_image(source, tmp_path / "cache", FileDigests(Store(tmp_path)))
    assert changed.jpeg.path != first.jpeg.path
    widths = [v.width for v in changed.webp]
    assert widths == sorted(widths) and widths[0] == 480 and widths[-1] == 800  # never enlarged past the original


def test_corrupt_and_unsupported_images_raise(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    with pytest.raises((OSError, ValueError)):
        stage.render_image(broken, tmp_path / "cache", FileDigests(Store(tmp_path)))


def test_nearby_sites_are_sorted_by_real_distance() -> None:
    guide = load_guide(ROOT)
    by_slug = {site.slug: site for site in guide.sites}
    marker = by_slug["cot-moc-1368"]

    found = pages.nearby_sites(guide.sites)[marker.id]

    assert [site.slug for site, _km in found] == ["den-xa-tac", "den-tran-hung-dao"]
    # Móng Cái to Quảng Yên is roughly 120 km as the crow flies.
    assert 100 < found[1][1] < 140
    assert found[0][1] < 1


def test_distance_formatting_follows_the_locale() -> None:
    assert pages.format_distance(1.23, "vi") == "1,2 km"
    assert pages.format_distance(1.23, "en") == "1.2 km"
    assert "1.2" in pages.format_distance(1.23, "zh") and "公里" in pages.format_distance(1.23, "zh")
    assert pages.format_distance(0.084, "en") == "80 m"
    assert pages.format_distance(123.4, "en") == "123.4 km"


def test_language_names_come_from_babel() -> None:
    assert i18n.language_name("vi") == "Tiếng Việt"
    assert i18n.language_name("en") == "English"
    assert i18n.language_name("zh").startswith("中文")
    assert i18n.og_locale("vi") == "vi_VN" and i18n.og_locale("zh") == "zh_CN"


def extracted_messages(keywords: tuple[str, ...]) -> set[str]:
    method_map = [("generator/**.py", "python"), ("generator/templates/**.html", "jinja2")]
    found = extract_from_dir(str(ROOT), method_map, keywords=dict.fromkeys(keywords))
    return {message for _file, _line, message, _comments, _context in found if isinstance(message, str)}


CATALOGS = [("messages", ("t", "_"), "vi"), ("messages", ("t", "_"), "zh"), ("cli", ("say", "mark"), "vi")]


@pytest.mark.parametrize(("domain", "keywords", "language"), CATALOGS)
def test_every_string_in_the_code_is_translated(domain: str, keywords: tuple[str, ...], language: str) -> None:
    catalog = i18n._catalog(language, domain)
    messages = extracted_messages(keywords)
    assert len(messages) > 30
    untranslated = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert untranslated == []
    for message in messages:  # a translation uses exactly the placeholders of its English text
        assert set(re.findall(r"{(\w+)", catalog.get(message).string)) == set(re.findall(r"{(\w+)", message)), message


def test_image_upload_of_non_image_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "x.png"
    fake.write_bytes(io.BytesIO(b"GIF89a not an image").getvalue())
    with pytest.raises((OSError, ValueError)):
        stage.render_image(fake, tmp_path / "cache", FileDigests(Store(tmp_path)))


def test_nearby_search_equals_comparing_every_pair() -> None:
    """The grid search must find exactly what the slow way finds, ties (same place) included."""
    rng = random.Random(7)

    def place(number: int, lat: float, lon: float) -> SimpleNamespace:
        return SimpleNamespace(id=f"S{number}", slug=f"site-{number:04d}", location=SimpleNamespace(lat=lat, lon=lon))

    sites = [place(n, rng.uniform(20.8, 21.6), rng.uniform(106.5, 108.0)) for n in range(400)]
    sites += [place(400 + n, 21.2, 107.3) for n in range(4)]  # four at one spot
    sites += [place(500, -33.9, 151.2)]  # one far away from all the others
    found = pages.nearby_sites(tuple(sites))
    for site in sites:
        every_pair = sorted((pages.distance_km(site, other), other.slug) for other in sites if other.id != site.id)
        assert [(km, other.slug) for other, km in found[site.id]] == every_pair[:pages.NEARBY_COUNT]
