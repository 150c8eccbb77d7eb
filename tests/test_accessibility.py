"""Readable for everyone: contrast of text and links, names for images and dialogs, in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from generator import pipeline
from generator.commands.server import serve_in_background
from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

# WCAG 2 contrast of an element's text against the first opaque background behind it.
CONTRAST = """el => {
  const rgba = c => { const v = c.match(/[\\d.]+/g).map(Number); return v.length === 3 ? [...v, 1] : v; };
  const channel = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const layers = [];  // backgrounds from the element outwards, translucent ones composited
  for (let n = el; n; n = n.parentElement) layers.push(rgba(getComputedStyle(n).backgroundColor));
  let bg = [255, 255, 255];
  for (const c of layers.reverse()) bg = bg.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
  const fg = rgba(getComputedStyle(el).color);
  const shown = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
  const [light, dark] = [lum(shown), lum(bg)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}"""
CHECKED = "article a[href], article p, .md-copyright, .md-copyright__highlight, .guide-plaque, .md-button, figcaption"


@pytest.fixture(scope="module")
def page(built):
    require(CHROMIUM.is_file(), f"Chromium ({CHROMIUM})")
    server = serve_in_background(built.output)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.base = f"http://127.0.0.1:{server.server_address[1]}/"
        yield page
        browser.close()
    server.shutdown()


@pytest.mark.parametrize("path", ["vi/", "en/den-xa-tac/", "zh/cot-moc-1368/"])
def test_text_and_links_have_enough_contrast(page, path: str) -> None:
    page.goto(page.base + path)
    low = []
    for element in page.locator(CHECKED).all():
        if element.is_visible() and element.inner_text().strip():
            ratio = element.evaluate(CONTRAST)
            if ratio < 4.5:
                low.append((element.evaluate("e => e.className || e.tagName"), element.inner_text()[:30], round(ratio, 2)))
    assert low == []


def test_images_and_dialogs_have_names(page) -> None:
    page.goto(page.base + "vi/den-tran-hung-dao/")
    assert all(alt.strip() for alt in page.locator("img").evaluate_all("imgs => imgs.map(i => i.alt)"))
    assert page.locator("a.guide-search-link").get_attribute("aria-label")
    assert page.locator("html").get_attribute("lang") == "vi"


def test_links_in_running_text_are_underlined(page, project) -> None:
    """Link colour alone is 2.4:1 against the text around it (WCAG asks 3:1): every link in a paragraph or
    list item is underlined, buttons aside. Checked where running text has links: a site without English
    narration points to the languages that have it ("Listen in: Tiếng Việt")."""
    site_file = project / "sites" / "den-xa-tac.yaml"
    site_file.write_text(re.sub(r"(?m)^  en: den-xa-tac/narration-en.mp3\n", "", site_file.read_text(encoding="utf-8")),
                         encoding="utf-8")
    result = pipeline.build(project, register=False)
    server = serve_in_background(result.output)
    other = page.context.browser.new_page(viewport={"width": 390, "height": 844})  # the module's browser
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for address in ("en/den-xa-tac/", "en/", "vi/cot-moc-1368/"):
            other.goto(base + address)
            links = other.locator("article p a:not(.md-button), article li a:not(.md-button)")
            plain = links.evaluate_all("links => links.filter(a => "
                                       "!getComputedStyle(a).textDecorationLine.includes('underline')).map(a => a.outerHTML)")
            assert plain == [], (address, plain)
        other.goto(base + "en/den-xa-tac/")
        assert other.locator("article .guide-listen p a").count() > 0  # the case is there
    finally:
        other.close()
        server.shutdown()
        server.server_close()
