"""VR360 panoramas: one equirectangular picture up to 4096 wide, else six cube faces Pannellum shows the right way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from generator.cache import FileDigests, Store
from generator.media import panorama
from generator.media.reading import Unusable

# Pannellum 2.5.6 (github.com/mpetroff/pannellum, src/js/libpannellum.js): the equirectangular shader maps
# yaw λ to the column (λ = 0 in the middle, growing to the right) and pitch φ to the row (+90° on top); the
# cube shader looks up direction (cos φ sin λ, sin φ, cos φ cos λ); `cubeMap` lists front, right, back,
# left, up, down (doc/json-config-parameters.md), uploaded as the faces +z, +x, -z, -x, +y, -y.


def level(component: np.ndarray | float) -> np.ndarray:
    """One colour channel per axis: 255 well on the positive side, 0 well on the negative side, 128 near 0."""
    return np.where(np.asarray(component) > 0.2, 255, np.where(np.asarray(component) < -0.2, 0, 128))


def direction_photo(path: Path, width: int) -> None:
    """An equirectangular photo whose colour says which way each pixel looks: red for x, green for y, blue for z."""
    height = width // 2
    longitude = ((np.arange(width) + 0.5) / width - 0.5) * 2 * np.pi
    latitude = (0.5 - (np.arange(height) + 0.5) / height) * np.pi
    lon, lat = np.meshgrid(longitude, latitude)
    x, y, z = np.cos(lat) * np.sin(lon), np.sin(lat), np.cos(lat) * np.cos(lon)
    Image.fromarray(np.stack([level(x), level(y), level(z)], axis=-1).astype(np.uint8)).save(path)


def expected(index: int, right: float, up: float) -> np.ndarray:
    """The colour at a point of the `index`th face of `cubeMap`, the point given as (right, up) from its centre,
    each -1 … 1: the direction the GPU samples there (the inverse of `webgl_lookup`)."""
    sc, tc = right, -up  # s grows to the picture's right, t downwards (an image's first row is t = 0)
    face = next(name for name, number in UPLOADED_AS.items() if number == index)
    direction = {"+x": (1, -tc, -sc), "-x": (-1, -tc, sc), "+y": (sc, 1, tc), "-y": (sc, -1, -tc),
                 "+z": (sc, -tc, 1), "-z": (-sc, -tc, -1)}[face]
    vector = np.array(direction, dtype=float)
    return level(vector / np.linalg.norm(vector))


def colour_at(picture: Image.Image, right: float, up: float) -> np.ndarray:
    """The mean colour of a 5×5 patch (the WebP is lossy) around a point given as for `expected`."""
    column = round((right + 1) / 2 * picture.width)
    row = round((1 - up) / 2 * picture.height)
    patch = np.asarray(picture.convert("RGB"))[max(0, row - 2):row + 3, max(0, column - 2):column + 3]
    return patch.reshape(-1, 3).mean(axis=0)


def render(source: Path, tmp_path: Path) -> panorama.RenderedPanorama:
    return panorama.render_panorama(source, tmp_path / "cache", FileDigests(Store(tmp_path)))


# Pannellum uploads its `cubeMap` list as these WebGL faces (image[0] is +z, image[1] +x, …).
UPLOADED_AS = {"+z": 0, "+x": 1, "-z": 2, "-x": 3, "+y": 4, "-y": 5}


def webgl_lookup(direction: tuple[float, float, float]) -> tuple[int, float, float]:
    """What the GPU does for `textureCube(direction)` (OpenGL ES 3.0 §3.8.10, "Cube Map Texture Selection"):
    the face of the largest component, and (s, t) on it; WebGL puts an image's first row at t = 0."""
    x, y, z = direction
    axis = max(range(3), key=lambda i: abs(direction[i]))
    major = abs(direction[axis])
    sc, tc, face = {
        0: (-z, -y, "+x") if x > 0 else (z, -y, "-x"),
        1: (x, z, "+y") if y > 0 else (x, -z, "-y"),
        2: (x, -y, "+z") if z > 0 else (-x, -y, "-z"),
    }[axis]
    return UPLOADED_AS[face], (sc / major + 1) / 2, (tc / major + 1) / 2


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, panorama.RenderedPanorama]:
    """A panorama wider than the texture limit, rendered once: (source, folder, rendered)."""
    folder = tmp_path_factory.mktemp("wide")
    source = folder / "wide.png"
    direction_photo(source, 4200)
    return source, folder, render(source, folder)


def test_faces_show_what_pannellum_looks_up(wide: tuple[Path, Path, panorama.RenderedPanorama]) -> None:
    """Pannellum's shader and the GPU's face selection, followed literally for views around the sphere."""
    _source, folder, rendered = wide
    faces = [Image.open(folder / "cache" / Path(path).name).convert("RGB") for path in rendered.paths]
    for yaw, pitch in ((0, 0), (30, 20), (-30, -20), (90, 0), (120, 25), (180, 0), (200, -25), (-90, 0),
                       (-60, 30), (0, 70), (45, 60), (0, -70), (-135, -60)):
        lam, phi = np.radians(yaw), np.radians(pitch)
        direction = (np.cos(phi) * np.sin(lam), np.sin(phi), np.cos(phi) * np.cos(lam))  # fragCube
        index, s, t = webgl_lookup(direction)
        assert np.abs(colour_at(faces[index], 2 * s - 1, 1 - 2 * t) - level(direction)).max() < 40, (yaw, pitch)


def test_wide_panorama_becomes_six_faces_in_pannellums_order_and_orientation(
        wide: tuple[Path, Path, panorama.RenderedPanorama]) -> None:
    _source, tmp_path, rendered = wide

    assert rendered.kind == "cubemap" and len(rendered.paths) == 6
    assert rendered.width == rendered.height == 1050 <= panorama.MAX_TEXTURE
    assert rendered.pannellum() == {"type": "cubemap", "cubeMap": list(rendered.paths)}
    total = 0
    for face, path in enumerate(rendered.paths):
        file = tmp_path / "cache" / Path(path).name
        total += file.stat().st_size
        with Image.open(file) as picture:
            assert picture.format == "WEBP" and picture.size == (1050, 1050)
            # The centre looks straight at the face's direction; the four quarter points tell the picture's
            # right from its left and its top from its bottom (a mirrored or turned face fails here).
            for right, up in ((0, 0), (0.5, 0.5), (0.5, -0.5), (-0.5, 0.5), (-0.5, -0.5)):
                assert np.abs(colour_at(picture, right, up) - expected(face, right, up)).max() < 40, (face, right, up)
    assert rendered.size == total
    with Image.open(tmp_path / "cache" / Path(rendered.preview.path).name) as preview:
        assert preview.size == (rendered.preview.width, rendered.preview.height)
        assert preview.width <= panorama.PREVIEW_WIDTH
        # The middle of the preview is the middle of the first view: straight ahead, the front.
        assert np.abs(colour_at(preview, 0, 0) - expected(UPLOADED_AS["+z"], 0, 0)).max() < 40


def test_panorama_up_to_the_texture_limit_stays_one_picture(tmp_path: Path) -> None:
    source = tmp_path / "small.jpg"
    direction_photo(source.with_suffix(".png"), 2000)
    Image.open(source.with_suffix(".png")).save(source, "JPEG", quality=90)

    rendered = render(source, tmp_path)

    assert rendered.kind == "equirectangular" and len(rendered.paths) == 1
    assert rendered.pannellum() == {"type": "equirectangular", "panorama": rendered.paths[0]}
    with Image.open(tmp_path / "cache" / Path(rendered.paths[0]).name) as picture:
        assert picture.format == "WEBP" and picture.size == (rendered.width, rendered.height) == (2000, 1000)
        assert not picture.getexif()
    assert rendered.size == (tmp_path / "cache" / Path(rendered.paths[0]).name).stat().st_size


def test_a_photo_that_is_not_two_to_one_is_refused_with_its_size(tmp_path: Path) -> None:
    source = tmp_path / "crop.jpg"
    Image.new("RGB", (3000, 1000), (40, 90, 160)).save(source)
    with pytest.raises(Unusable) as refused:
        render(source, tmp_path)
    assert "3000" in str(refused.value) and "1000" in str(refused.value) and "twice as wide" in str(refused.value)
    assert not list((tmp_path / "cache").glob("*.webp"))


def test_within_one_percent_of_two_to_one_is_accepted_and_made_exact(tmp_path: Path) -> None:
    source = tmp_path / "almost.jpg"
    Image.new("RGB", (2010, 1000), (40, 90, 160)).save(source)
    rendered = render(source, tmp_path)
    assert (rendered.width, rendered.height) == (2010, 1005)


def test_a_second_call_encodes_nothing(wide: tuple[Path, Path, panorama.RenderedPanorama],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    source, tmp_path, first = wide
    files = [tmp_path / "cache" / Path(path).name for path in (*first.paths, first.preview.path)]
    times = [file.stat().st_mtime_ns for file in files]

    monkeypatch.setattr(panorama, "_encode", lambda *arguments: pytest.fail("encoded again"))
    assert render(source, tmp_path) == first
    assert [file.stat().st_mtime_ns for file in files] == times


def test_a_picture_under_another_name_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "sphere.jpg"
    Image.new("RGB", (2000, 1000)).save(source, "PNG")
    with pytest.raises(Unusable, match="save it again as JPEG"):
        render(source, tmp_path)
