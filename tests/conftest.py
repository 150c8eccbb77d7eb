"""Shared fixtures: a copy of the sample project in a temp folder, and one real build of it."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator import pipeline
from generator.messages import use_language

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("mkdocs.yml", "sites", "media", "plaques.yaml", "schema")
IN_CI = os.environ.get("CI", "").lower() == "true"


SHARED_CACHE = Path(tempfile.mkdtemp(prefix="guide-test-cache-"))


def copy_project(target: Path, source_root: Path = ROOT, share_cache: bool = True) -> Path:
    """A copy of a project (the sample one by default); its render caches (content-hashed, so safe)
    are shared by tests unless a test needs a build from nothing."""
    target.mkdir(parents=True, exist_ok=True)
    if share_cache:
        (target / ".build").mkdir()
        (target / ".build" / "cache").symlink_to(SHARED_CACHE, target_is_directory=True)
    for part in PROJECT_PARTS:
        source = source_root / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright downloads no browser here
# Headless as root, on a machine without network: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def plaque_font_installed() -> bool:
    from generator.printing import plaques

    try:
        plaques.font_files()
    except plaques.FontMissing:
        return False
    return True


def require_plaque_font() -> None:
    require(plaque_font_installed(), "the font Noto Sans CJK SC (Debian fonts-noto-cjk)")


def chromium(args: list[str] = CHROMIUM_ARGS) -> Iterator:
    """Headless Debian Chromium with `args`, for as long as the generator is not closed."""
    from playwright.sync_api import sync_playwright

    require(CHROMIUM.is_file(), f"Chromium ({CHROMIUM})")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, once per test module."""
    yield from chromium()


def served(folder: Path) -> Iterator[str]:
    """The address of `folder` on the project's own static server, for as long as the generator is not closed."""
    from generator.commands.server import serve_in_background

    server = serve_in_background(folder)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


CACHED_ADDRESSES = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
    }
    return urls;
}"""


def wait_until_cached(page, wanted: Callable[[list[str]], bool], timeout: float = 15) -> list[str]:
    """Every address the guide's caches hold, once `wanted` says they hold enough. The service worker writes
    its caches after it answers, so a test that goes offline must wait for them; Playwright's
    wait_for_function cannot, as it takes the Promise a cache lookup returns for a true answer."""
    deadline = time.monotonic() + timeout
    while True:
        urls = page.evaluate(CACHED_ADDRESSES)
        if wanted(urls):
            return urls
        if time.monotonic() > deadline:
            pytest.fail(f"the guide's caches never held what the test waited for; they hold: {sorted(urls)}")
        page.wait_for_timeout(100)


def require(condition: bool, what: str) -> None:
    """Missing system parts fail in CI (never a silent skip there) and skip elsewhere."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{what} is missing; bash setup.sh installs it")
        pytest.skip(f"{what} is not installed")


@pytest.fixture(autouse=True)
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are asserted in English; the machine's locale must not switch them."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    use_language("en")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "guide")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> pipeline.BuildResult:
    """The sample guide built once, for every test that only reads the output."""
    root = copy_project(tmp_path_factory.mktemp("built") / "guide")
    return pipeline.build(root)
