"""Offline after the first visit, and "save this area" on the home page, in real headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import Error as PlaywrightError

from generator.commands.server import serve_in_background
from tests.conftest import CACHED_ADDRESSES, ROOT, chromium, wait_until_cached

SITES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "sites").glob("*.yaml"))}


@pytest.fixture(scope="module")
def base(built) -> Iterator[str]:
    server = serve_in_background(built.output)
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def context():
    for browser in chromium():
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, locale="en-US")
        context.set_default_timeout(15_000)
        yield context


def wait_for_service_worker(page) -> None:
    """Until the page is controlled by the guide's service worker (it claims open pages on activation)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # a function: the policy forbids eval


def test_a_page_opened_once_opens_again_without_signal(context, base: str) -> None:
    page = context.new_page()
    page.goto(base + "en/den-xa-tac/")
    wait_for_service_worker(page)
    page.reload()  # now under the service worker's control: page and assets are cached
    page.wait_for_load_state("load")
    wait_until_cached(page, lambda urls: page.url in urls)

    context.set_offline(True)
    offline = context.new_page()
    offline.goto(base + "en/den-xa-tac/")

    assert offline.locator("h1").inner_text() == SITES["den-xa-tac"]["name"]["en"]
    assert offline.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    with pytest.raises(PlaywrightError):
        offline.goto(base + "en/den-tran-hung-dao/")  # never opened: not available, as expected


def test_saving_an_area_makes_its_pages_available_offline(context, base: str, built) -> None:
    area = SITES["cot-moc-1368"]["area"]["vi"]
    page = context.new_page()
    page.goto(base + "vi/")
    page.locator(".guide-areas a", has_text=area).click()
    area_page = page.url
    manifest = json.loads((built.output / urlsplit(area_page).path.lstrip("/") / "offline.json").read_text(encoding="utf-8"))
    site_pages = {f"vi/{slug}/" for slug in SITES}
    assert sorted(u for u in manifest["urls"] if u in site_pages) == ["vi/cot-moc-1368/", "vi/den-xa-tac/"]
    plaque = SITES["den-xa-tac"]["id"]

    page.goto(base + "vi/den-xa-tac/")  # where a plaque visitor arrives: the button is on the site page too
    wait_for_service_worker(page)
    button = page.locator(".guide-offline:enabled")  # once its size is known
    button.wait_for()
    assert area in button.inner_text() and "MB" in button.inner_text()  # the area and its size, before downloading
    button.click()
    page.locator(".guide-offline[data-guide-saved]").wait_for(state="attached")

    context.set_offline(True)
    for slug in ("cot-moc-1368", "den-xa-tac"):
        offline = context.new_page()
        offline.goto(base + f"vi/{slug}/")
        assert offline.locator("h1").inner_text() == SITES[slug]["name"]["vi"]
        image = offline.locator("article img").first
        image.scroll_into_view_if_needed()
        offline.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        # The narration plays from the cache (audio players ask for byte ranges).
        offline.evaluate("document.querySelector('audio').muted = true")
        offline.evaluate("document.querySelector('audio').play()")
        offline.wait_for_function("a => a.currentTime > 0.2 && !a.error", arg=offline.locator("audio").element_handle())

    # Scanning the plaque without signal: the printed address (no trailing slash) opens the page.
    scanned = context.new_page()
    scanned.goto(base + f"Q/{plaque}")
    scanned.wait_for_url("**/vi/den-xa-tac/")
    assert scanned.locator("h1").inner_text() == SITES["den-xa-tac"]["name"]["vi"]

    # The area's page, and "near me" on it, work without signal too.
    near = SITES["den-xa-tac"]["location"]
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"latitude": near["lat"], "longitude": near["lon"]})
    listed = context.new_page()
    listed.goto(area_page)
    assert listed.locator("h1").inner_text() == area
    listed.locator("[data-guide-near-button]").click()
    listed.locator("[data-guide-near-list] a").first.wait_for()
    assert listed.locator("[data-guide-near-list] a").first.inner_text() == SITES["den-xa-tac"]["name"]["vi"]


@pytest.mark.parametrize("typed", [False, True], ids=["printed", "typed in lower case"])
def test_the_plaque_address_and_the_page_it_opened_work_offline_after_one_visit(context, base: str, typed: bool) -> None:
    """The first page a visitor sees loads before the service worker exists; it is kept anyway, with the
    plaque address that led to it, so scanning the plaque again without signal opens the page."""
    plaque = SITES["den-tran-hung-dao"]["id"]
    address = base + (f"q/{plaque.lower()}" if typed else f"Q/{plaque}")
    page = context.new_page()
    page.goto(address)
    page.wait_for_url("**/den-tran-hung-dao/")
    landing = page.url
    stylesheet = page.locator("link[rel=stylesheet]").first.evaluate("link => link.href")
    wait_until_cached(page, lambda urls: {landing, address + "/", stylesheet} <= set(urls))

    context.set_offline(True)
    for opened in (address, landing):
        offline = context.new_page()
        offline.goto(opened)
        offline.wait_for_url(landing)
        assert offline.locator("h1").inner_text() == SITES["den-tran-hung-dao"]["name"]["en"]
        assert offline.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")


def test_the_service_worker_never_stores_another_sites_files(context, base: str, tmp_path: Path) -> None:
    """A page may ask the worker to keep addresses; another origin's are refused even when that origin
    would allow it (CORS), so the caches hold the site's own responses only."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Open(SimpleHTTPRequestHandler):  # another site that lets any page read its files
        def end_headers(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            super().end_headers()

        def log_message(self, *args: object) -> None:
            pass

    (tmp_path / "other.txt").write_text("another site", encoding="utf-8")
    other = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Open, directory=str(tmp_path)))
    threading.Thread(target=other.serve_forever, daemon=True).start()
    foreign = f"http://localhost:{other.server_address[1]}/other.txt"  # localhost: another origin than 127.0.0.1
    try:
        page = context.new_page()
        page.goto(base + "en/")
        wait_for_service_worker(page)
        page.evaluate("""async ([foreign, own]) => {
            const registration = await navigator.serviceWorker.ready;
            await new Promise((done) => {
                const channel = new MessageChannel();
                channel.port1.onmessage = () => done();
                registration.active.postMessage({ save: [foreign, own] }, [channel.port2]);
            });
        }""", [foreign, base + "en/den-xa-tac/"])
        stored = page.evaluate(CACHED_ADDRESSES)
        assert base + "en/den-xa-tac/" in stored  # the site's own address was kept
        assert not [url for url in stored if "localhost" in url]
    finally:
        other.shutdown()
        other.server_close()
