"""The form editor at /admin/, in a real Chromium over the built guide, with a local repository (see
tests/form_driver.py). What the form writes there is then put back into a copy of the guide as `build.py edit` does
(FormSaves), and the guide must check and build with it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image
from pillow_heif import register_heif_opener

from generator import pipeline
from generator.commands.preview import FormSaves
from generator.problems import GuideError
from generator.source.load import Project, load_settings
from generator.source.merge import has_comment
from generator.source.model import MAX_TEXT, Site
from generator.source.schema import site_schema
from generator.web import admin
from generator.web.npm import installed
from tests.conftest import ROOT, copy_project, served
from tests.form_driver import CUT_OFF, NEW_SITE, VIEWPORTS, add_site, fill, open_form, saved, show, site_files


def test_the_form_has_a_field_for_every_field_of_the_model() -> None:
    """Drift fails here: every property of the site schema (the model's) at every depth is in the form."""
    settings = load_settings(Project(ROOT))[0]
    languages = set(settings.languages)
    schema = site_schema(list(settings.languages), settings.default_language)
    form = yaml.safe_load(admin.config(settings))["collections"][0]["fields"]

    def names(node: dict[str, Any], definitions: dict[str, Any], prefix: str = "") -> set[str]:
        node, _ = admin._resolve(node, definitions)
        found = set()
        if node.get("type") == "array":
            return names(node["items"], definitions, prefix)
        for name, value in node.get("properties", {}).items():
            found.add(prefix + name)
            found |= names(value, definitions, prefix + name + ".")
        return found

    def form_names(fields: list[dict[str, Any]], prefix: str = "") -> set[str]:
        found = set()
        for field in fields:
            found.add(prefix + field["name"])
            inner = field.get("fields") or field.get("field", {}).get("fields")
            if inner and field["name"] not in languages and not {f["name"] for f in inner} <= languages:
                found |= form_names(inner, prefix + field["name"] + ".")
        return found

    assert names(schema, schema["$defs"]) - form_names(form) == set()
    assert set(Site.model_fields) <= {field["name"] for field in form}


def test_the_article_field_refuses_what_the_build_would() -> None:
    """Sveltia's Markdown field has no length limit: its pattern must refuse one character more than the model
    allows (the pattern is a JavaScript regular expression; this one reads the same in Python)."""
    form = yaml.safe_load(admin.config(load_settings(Project(ROOT))[0]))["collections"][0]["fields"]
    article = next(field for field in form if field["name"] == "body")["fields"][0]
    pattern, message = article["pattern"]
    assert re.fullmatch(pattern, "Đình\n" + "x" * (MAX_TEXT["body"] - 5))
    assert not re.fullmatch(pattern, "x" * (MAX_TEXT["body"] + 1)) and str(MAX_TEXT["body"]) in message
    assert "image" not in article["buttons"] and article["editor_components"] == []  # pictures go under images:


@pytest.fixture(scope="module")
def guide_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("admin") / "guide"
    root.mkdir()
    for name in ("sites", "media"):
        shutil.copytree(ROOT / name, root / name)
    for name in ("mkdocs.yml", "plaques.yaml"):
        shutil.copy(ROOT / name, root / name)
    return root


@pytest.fixture(scope="module")
def admin_page(built) -> Iterator[str]:
    yield from served(Path(built.output))


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_editing_a_summary_in_the_form_changes_that_line_only(browser: Any, admin_page: str, guide_copy: Path,
                                                               width: int, height: int) -> None:
    sample = guide_copy / "sites" / "den-xa-tac.yaml"
    before = sample.read_text(encoding="utf-8")
    edited = f"Ngôi đền cổ bên sông Ka Long, sửa trên màn hình {width} px."
    outside: list[str] = []
    files = site_files(guide_copy)
    page = open_form(browser, admin_page, width, height, files, outside)
    page.get_by_text("Đền Xã Tắc").first.click()
    fill(page, "Giới thiệu ngắn", "Tiếng Việt (vi)", edited)
    show(page, "Bài giới thiệu")
    assert page.evaluate(CUT_OFF, width) == [], "a field is wider than the screen"
    page.get_by_role("button", name="Lưu").click()
    written = saved(page, files)
    assert list(written) == ["sites/den-xa-tac.yaml"]
    save = written["sites/den-xa-tac.yaml"].decode("utf-8")
    assert page.evaluate("window.__violations") == [], "the form breaks its own Content-Security-Policy"
    page.context.close()
    assert outside == [], f"the admin page asked other hosts: {outside}"
    assert save != before and not has_comment(save), "the form saved the file whole (its comments gone)"

    saves = FormSaves(guide_copy / "sites")
    sample.write_text(save, encoding="utf-8")
    assert saves.restore([sample]) == [sample]
    after = sample.read_text(encoding="utf-8")
    old_data, new_data = yaml.safe_load(before), yaml.safe_load(after)
    assert new_data["summary"]["vi"] == edited
    old_data["summary"]["vi"] = edited
    assert new_data == old_data, "only the edited field differs after loading"
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(changed) == 1 and edited in changed[0], changed  # every other line as it was
    assert len(after.splitlines()) <= len(before.splitlines())
    pipeline.check(guide_copy)
    sample.write_text(before, encoding="utf-8")


def test_a_new_sites_plaque_id_was_never_issued_even_to_a_retired_plaque(project: Path) -> None:
    """The id offered for a new site is free of every line of plaques.yaml: a retired plaque still hangs somewhere."""
    registry = project / "plaques.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "- {id: DT01, slug: den-xa-tac-cu, issued: 2026-11-20}\n"
                        "- {id: DT01, retired: 2026-11-24, to: KLXT01}\n", encoding="utf-8")
    guide, issued = pipeline.check(project)
    form = yaml.safe_load(pipeline.admin_files(guide, issued)["admin/config.yml"])
    (plaque_id,) = [field["default"] for field in form["collections"][0]["fields"] if field["name"] == "id"]
    assert plaque_id == "DT02"  # the next free one after the retired DT01 ("di tích": DT)


@pytest.mark.parametrize(("width", "height", "suffix"), [(*size, suffix) for size, suffix in zip(
    VIEWPORTS, (".heic", ".jpg"), strict=True)])  # an iPhone's photo on the phone, a JPEG on the laptop
def test_a_new_site_with_a_photo_from_the_form_is_checked_and_built(browser: Any, admin_page: str, tmp_path: Path,
                                                                    width: int, height: int, suffix: str) -> None:
    """A volunteer's first site, typed on a phone: its file is named from its Vietnamese name (tones and đ
    removed), the photo lands in media/<that name>/, the plaque id is the free one offered, and the guide
    checks and builds with it."""
    root = copy_project(tmp_path / "guide")
    name, photo = NEW_SITE["name"], tmp_path / f"anh-dinh{suffix}"
    register_heif_opener()
    Image.new("RGB", (1200, 800), (150, 120, 90)).save(photo, quality=80)
    outside: list[str] = []
    files = site_files(root)
    page = open_form(browser, admin_page, width, height, files, outside)
    add_site(page, photo)
    show(page, "Bài giới thiệu")
    assert page.evaluate(CUT_OFF, width) == [], "a field is wider than the screen"

    # The hint's map link shows the point typed (followed here only as far as its address).
    page.evaluate("window.addEventListener('click', (e) => e.target.closest('a') && e.preventDefault())")
    map_link = page.locator("a", has_text="Xem điểm đã nhập trên bản đồ").first
    map_link.click()
    assert map_link.get_attribute("href") == "https://www.openstreetmap.org/?mlat=20.88&mlon=107.49#map=17/20.88/107.49"
    page.get_by_role("button", name="Lưu").click()
    written = saved(page, files)
    assert page.evaluate("window.__violations") == [], "the form breaks its own Content-Security-Policy"
    page.context.close()
    assert outside == [], f"the admin page asked other hosts: {outside}"
    assert set(written) == {"sites/dinh-quan-lan.yaml", f"media/dinh-quan-lan/{photo.name}"}, set(written)
    for path, data in written.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    data = yaml.safe_load(written["sites/dinh-quan-lan.yaml"])
    taken = {yaml.safe_load(path.read_text(encoding="utf-8"))["id"] for path in (ROOT / "sites").glob("*.yaml")}
    issued = set(re.findall(r"\bid: (\w+)", (ROOT / "plaques.yaml").read_text(encoding="utf-8")))
    assert re.fullmatch("[A-Z0-9]{2,12}", data["id"]) and data["id"] not in taken | issued, data["id"]
    assert data["name"] == {"vi": name} and data["location"] == {"lat": 20.88, "lon": 107.49, "approximate": False}

    pipeline.check(root)
    result = pipeline.build(root)
    page_file = Path(result.output) / "vi" / "dinh-quan-lan" / "index.html"
    text = page_file.read_text(encoding="utf-8")
    assert name in text
    source = re.search(f'<img src="([^"]+)"[^>]* alt="{NEW_SITE["alt"]}"', text)
    assert source, "the page shows the photo"
    with Image.open(page_file.parent / source.group(1)) as shown:
        assert abs(shown.size[0] / shown.size[1] - 1.5) < 0.01, "it is the photo uploaded, resized"


def test_the_admin_page_runs_scripts_from_itself_only(built) -> None:
    """The form is the one page that talks to another host (GitHub's API, where saves go); its policy says so and
    no more: no inline or third-party script, and no host but GitHub's to connect to."""
    text = (Path(built.output) / "admin" / "index.html").read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert policy and text.index(policy.group(0)) < text.index("<script")
    rules = dict(rule.strip().split(" ", 1) for rule in policy.group(1).split(";"))
    assert rules["script-src"] == "'self'" and rules["default-src"] == "'self'"
    assert [source for source in rules["connect-src"].split() if "//" in source] == ["https://api.github.com"]


def test_the_form_shows_nothing_inside_another_sites_frame(browser: Any, admin_page: str) -> None:
    """A page framing the form to trick an editor into a click gets an empty page (a static host cannot send
    `frame-ancestors`, and a <meta> policy may not)."""
    page = browser.new_page()
    page.set_content(f'<iframe src="{admin_page}admin/" width="800" height="600"></iframe>')
    page.frame_locator("iframe").locator("html").wait_for(state="attached")
    page.frames[1].wait_for_function("() => document.documentElement.hidden", timeout=10_000)  # fails unguarded
    page.goto(admin_page + "admin/")
    assert page.evaluate("document.documentElement.hidden") is False  # opened as itself, it is shown
    page.context.close()


def test_a_missing_browser_library_names_its_file_and_the_set_up() -> None:
    with pytest.raises(GuideError, match=r"the form editor is not installed \(node_modules/@sveltia/cms/gone\.js is "
                                         r"missing\); run: bash setup\.sh build"):
        installed("@sveltia/cms/gone.js", admin.EDITOR)
    assert installed(f"{admin.PACKAGE}/package.json", admin.EDITOR).is_file()
