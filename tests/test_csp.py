"""Every page carries a Content-Security-Policy that blocks inline code and third-party origins, and
no page type breaks it: Chromium reports no violation on the home, area, site, search (with a
query typed), plaque address, language chooser and 404 pages."""

from __future__ import annotations

import html.parser
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import require, served

CHROMIUM = Path("/usr/bin/chromium")
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


class Policy(html.parser.HTMLParser):
    """The page's policy meta, and whether it comes before every script (a policy covers what follows)."""

    def __init__(self) -> None:
        super().__init__()
        self.policy: str | None = None
        self.script_before_policy = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.policy = self.policy or values.get("content")
        elif tag == "script" and self.policy is None:
            self.script_before_policy = True


def test_every_page_has_a_strict_policy_before_any_script(built) -> None:
    # The form editor (admin/) talks to GitHub's API, so its policy differs: tests/test_admin.py checks it.
    pages = sorted(page for page in Path(built.output).rglob("*.html") if page.parts[-2:-1] != ("admin",))
    assert len(pages) > 20
    for page in pages:
        parser = Policy()
        parser.feed(page.read_text(encoding="utf-8"))
        where = page.relative_to(built.output)
        assert parser.policy, f"{where} has no Content-Security-Policy"
        assert not parser.script_before_policy, f"{where}: a script comes before the policy"
        rules = dict(rule.strip().split(" ", 1) for rule in parser.policy.split(";"))
        assert rules["default-src"] == "'self'", where
        for directive in ("script-src", "style-src"):
            sources = rules[directive].split()
            assert sources[0] == "'self'" and all(s.startswith("'sha256-") for s in sources[1:]), (where, directive)
        assert "unsafe" not in parser.policy and "http" not in parser.policy, where


@pytest.fixture(scope="module")
def host(built) -> Iterator[str]:
    yield from served(Path(built.output))


def page_types(output: Path) -> dict[str, str]:
    """One address of each page type, found in the build (the first of each kind)."""
    first = {
        "home": "vi/",
        "site": next(p for p in sorted((output / "vi").glob("*/index.html")) if p.parent.name not in ("search", "area")),
        "search": "vi/search/?q=xa%20tac",
        "plaque address": sorted((output / "Q").glob("*/index.html"))[0],
        "language chooser": "",
        "404": "vi/no-such-page/",
    }
    areas = sorted((output / "vi" / "area").glob("*/index.html"))
    if areas:
        first["area"] = areas[0]
    return {kind: (str(path.parent.relative_to(output)) + "/" if isinstance(path, Path) else path)
            for kind, path in first.items()}


def test_no_page_type_violates_its_policy(built, host: str) -> None:
    require(CHROMIUM.exists(), "Chromium (/usr/bin/chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            for kind, address in page_types(Path(built.output)).items():
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.add_init_script(WATCH)
                console: list[str] = []  # violations on a page that redirected are only in the console
                page.on("console", lambda message, seen=console: seen.append(message.text))
                page.goto(host + address, wait_until="networkidle")
                if kind == "search":
                    page.wait_for_selector(".guide-search__results a")
                assert page.evaluate("window.__violations") == [], (kind, address)
                assert not [text for text in console if "Content Security Policy" in text], (kind, address, console)
                page.close()
        finally:
            browser.close()
