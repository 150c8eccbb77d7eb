"""What a phone on slow data downloads from the guide, at 3 and at 1,000 sites (issue 9's page benchmark).

    python tools/bench_pages.py [--sites 1000] [--photos 20] [--picks 4]

Builds the sample guide (3 sites) and a generated guide of `--sites` sites (tools/scale_project.py:
varied text, `--photos` distinct photos shared by the sites; `--sites 0` skips it) with
`generator.pipeline.build`, and a default Material for MkDocs site of the same Vietnamese text (every
page in the nav, the original photos, theme defaults) for comparison. Serves each with gzip on
127.0.0.1 and the caching header GitHub Pages sends (max-age=600), and loads pages in headless
Chromium at a phone's size (390×844 @3x) under emulated slow 4G (1.6 Mbit/s, 150 ms RTT, CPU 4x
slower), with service workers blocked so that only the HTTP cache keeps anything between pages.

Bytes are what the browser received, response headers and body as sent (gzip), audio excluded. Each
measure starts in a fresh browser profile:

- first visit: a site page, worst of the picked sites in every language (and in Vietnamese at @2x,
  where the browser picks the 960 px photo instead of the 1200 px one); the home page, /vi/;
- repeat visit: after the first visit, another site page in the same language;
- language switch: after the first visit, the same site in the next language;
- one search: on /vi/search/, a picked site's Vietnamese name without tones typed letter by letter;
  what was fetched after the page had loaded until its results (and their summaries) showed;
- other hosts asked (any request, any page: must be none), largest contentful paint of first visits.

Prints a Markdown table, one column per guide size, with the budgets beside it, then the largest
requests behind each worst case.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402
from generator.commands.server import GuideServer, serve_in_background  # noqa: E402
from generator.source.load import Guide  # noqa: E402
from tools.scale_project import make_project  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "service_workers": "block"}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4
AUDIO = (".mp3", ".m4a", ".ogg")
SAMPLE_PARTS = ("mkdocs.yml", "sites", "media", "plaques.yaml", "schema")
LCP_SCRIPT = """new Promise(resolve => {
  new PerformanceObserver(list => { const e = list.getEntries(); resolve(e[e.length - 1].startTime / 1000); })
    .observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(null), 5000);
})"""
QUIET_MS = 500  # no request in flight for this long: the page has fetched what it will


def without_tones(text: str) -> str:
    """What a phone keyboard without Vietnamese types: no tone marks, `đ` as `d`, lower case."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in text if not unicodedata.combining(char)).lower()


# --- one browser profile --------------------------------------------------------------------------------------

class Visitor:
    """A fresh browser profile at a phone's size on slow 4G that counts the bytes of every response."""

    def __init__(self, browser, base: str, foreign: set[str], scale: int = 3) -> None:  # type: ignore[no-untyped-def]
        self.base, self.foreign = base, foreign
        self.context = browser.new_context(**{**PHONE, "device_scale_factor": scale})
        self.page = self.context.new_page()
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        self.received: dict[str, int] = {}  # url: bytes, since the last take()
        self.in_flight = 0
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._finished)
        self.page.on("requestfailed", lambda request: self._ended())

    def _started(self, request) -> None:  # type: ignore[no-untyped-def]
        host = urlsplit(request.url).hostname
        if host and host != "127.0.0.1":
            self.foreign.add(host)
        self.in_flight += 1

    def _ended(self) -> None:
        self.in_flight -= 1

    def _finished(self, request) -> None:  # type: ignore[no-untyped-def]
        self._ended()
        url = request.url
        if not url.startswith("http") or urlsplit(url).path.endswith(AUDIO):
            return
        sizes = request.sizes()
        self.received[url] = self.received.get(url, 0) + sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def settle(self) -> None:
        """Wait until nothing has been in flight for QUIET_MS (lazy images, summary shards)."""
        quiet = 0
        while quiet < QUIET_MS:
            self.page.wait_for_timeout(100)
            quiet = quiet + 100 if self.in_flight <= 0 else 0

    def take(self) -> dict[str, int]:
        taken, self.received = self.received, {}
        return taken

    def open(self, path: str) -> dict[str, int]:
        self.page.goto(self.base + path, wait_until="load")
        self.settle()
        return self.take()

    def lcp(self) -> float:
        return self.page.evaluate(LCP_SCRIPT) or float("nan")

    def close(self) -> None:
        self.context.close()


@dataclass
class Measure:
    """Bytes of several tries of one measure; the worst one's requests, to explain it."""

    tries: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    def add(self, label: str, received: dict[str, int]) -> None:
        self.tries.append((label, received))

    @property
    def totals(self) -> list[int]:
        return [sum(received.values()) for _, received in self.tries]

    @property
    def worst(self) -> float:
        return max(self.totals) / 1024 if self.tries else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.totals) / 1024 if self.tries else float("nan")

    def explain(self, base: str, top: int = 5) -> str:
        if not self.tries:
            return "not measured"
        label, received = max(self.tries, key=lambda item: sum(item[1].values()))
        parts = sorted(received.items(), key=lambda item: -item[1])[:top]
        listed = ", ".join(f"{url.removeprefix(base) or '/'} {size / 1024:.1f}" for url, size in parts)
        return f"{label}: {len(received)} requests; largest (KB): {listed}"


@dataclass
class Results:
    first_site: Measure = field(default_factory=Measure)
    first_site_2x: Measure = field(default_factory=Measure)  # a phone of 2 device pixels per CSS pixel
    first_home: Measure = field(default_factory=Measure)
    repeat: Measure = field(default_factory=Measure)
    switch: Measure = field(default_factory=Measure)
    search: Measure = field(default_factory=Measure)
    lcp_site: list[float] = field(default_factory=list)
    lcp_home: list[float] = field(default_factory=list)
    foreign: set[str] = field(default_factory=set)
    base: str = ""


@dataclass(frozen=True)
class Site:
    slug: str
    vi_name: str


def picked(sites: list[Site], count: int) -> list[tuple[Site, Site]]:
    """`count` sites spread over the guide, each with the next site (another photo) for the repeat visit."""
    count = min(count, len(sites))
    spots = sorted({round(i * (len(sites) - 1) / max(count - 1, 1)) for i in range(count)})
    return [(sites[spot], sites[(spot + 1) % len(sites)]) for spot in spots]


def url_of(server: GuideServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def measure_guide(browser, server: GuideServer, guide: Guide, picks: int) -> Results:  # type: ignore[no-untyped-def]
    results = Results(base=url_of(server))
    sites = [Site(site.slug, site.name[guide.default_language]) for site in guide.sites]
    languages = list(guide.languages)
    home = f"{guide.default_language}/"

    def visitor() -> Visitor:
        return Visitor(browser, results.base, results.foreign)

    for site, other in picked(sites, picks):
        for index, language in enumerate(languages):
            visit = visitor()
            try:
                results.first_site.add(f"{language}/{site.slug}/", visit.open(f"{language}/{site.slug}/"))
                results.lcp_site.append(visit.lcp())
                results.repeat.add(f"{language}/{other.slug}/ after {language}/{site.slug}/",
                                   visit.open(f"{language}/{other.slug}/"))
                switched = languages[(index + 1) % len(languages)]
                results.switch.add(f"{switched}/{site.slug}/ after {language}/{site.slug}/",
                                   visit.open(f"{switched}/{site.slug}/"))
            finally:
                visit.close()
        visit = Visitor(browser, results.base, results.foreign, scale=2)
        try:
            results.first_site_2x.add(f"{home}{site.slug}/ @2x", visit.open(f"{home}{site.slug}/"))
        finally:
            visit.close()
        visit = visitor()
        try:
            visit.open(f"{guide.default_language}/search/")
            query = without_tones(site.vi_name)
            field_ = visit.page.get_by_role("searchbox")
            field_.click()
            field_.press_sequentially(query, delay=40)
            visit.page.wait_for_selector(f'.guide-search__results a[href$="/{guide.default_language}/{site.slug}/"]',
                                         timeout=30_000)
            visit.settle()
            results.search.add(f"'{query}' on {guide.default_language}/search/", visit.take())
        finally:
            visit.close()
    for _ in range(2):  # the home page twice: its LCP varies more than its bytes
        visit = visitor()
        try:
            results.first_home.add(home, visit.open(home))
            results.lcp_home.append(visit.lcp())
        finally:
            visit.close()
    return results


def measure_plain(browser, server: GuideServer, slugs: list[str], picks: int) -> Results:  # type: ignore[no-untyped-def]
    """First and repeat visits of the plain Material build (one language; its own search is left as it is)."""
    results = Results(base=url_of(server))
    for site, other in picked([Site(slug, "") for slug in slugs], picks):
        visit = Visitor(browser, results.base, results.foreign)
        try:
            results.first_site.add(f"{site.slug}/", visit.open(f"{site.slug}/"))
            results.lcp_site.append(visit.lcp())
            results.repeat.add(f"{other.slug}/ after {site.slug}/", visit.open(f"{other.slug}/"))
        finally:
            visit.close()
    return results


# --- the builds -----------------------------------------------------------------------------------------------

def plain_material(guide: Guide, project: Path, target: Path) -> list[str]:
    """A default Material build of the same Vietnamese text, as a user of plain Material would make it."""
    docs = target / "docs"
    (docs / "media").mkdir(parents=True)
    slugs = []
    for site in guide.sites:
        lines = [f"# {site.name['vi']}", "", site.summary["vi"], ""]
        for image in site.images:
            name = image.file.replace("/", "-")
            if not (docs / "media" / name).exists():
                shutil.copyfile(project / "media" / image.file, docs / "media" / name)
            lines += [f"![{image.alt['vi']}](media/{name})", ""]
        lines.append(site.body["vi"])
        (docs / f"{site.slug}.md").write_text("\n".join(lines), encoding="utf-8")
        slugs.append(site.slug)
    (docs / "index.md").write_text(f"# {guide.settings.title['vi']}\n", encoding="utf-8")
    config = {"site_name": guide.settings.title["vi"], "docs_dir": str(docs), "site_dir": str(target / "site"),
              "theme": {"name": "material", "language": "vi"}}
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(target / "mkdocs.yml")))
    return slugs


def sample_project(work: Path) -> Path:
    project = work / "sample"
    project.mkdir()
    for part in SAMPLE_PARTS:
        source = ROOT / part
        if source.exists():
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / part)
    return project


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Column:
    title: str
    ours: Results
    plain: Results


def measure_size(browser_factory: Callable, work: Path, name: str, project: Path, picks: int) -> Column:
    started = time.perf_counter()
    result = pipeline.build(project)
    say(f"{name}: built in {time.perf_counter() - started:.0f} s")
    slugs = plain_material(result.guide, project, work / f"plain-{name}")
    ours = serve_in_background(result.output)
    plain = serve_in_background(work / f"plain-{name}" / "site")
    for server in (ours, plain):
        server.cache_control = "max-age=600"  # what GitHub Pages sends
    try:
        browser = browser_factory()
        started = time.perf_counter()
        column = Column(name, measure_guide(browser, ours, result.guide, picks), measure_plain(browser, plain, slugs, picks))
        browser.close()
        say(f"{name}: measured in {time.perf_counter() - started:.0f} s")
        return column
    finally:
        for server in (ours, plain):
            server.shutdown()
            server.server_close()


# --- the table ------------------------------------------------------------------------------------------------

def table(columns: list[Column], picks: int) -> str:
    def kb(value: float) -> str:
        return f"{value:.1f}"

    def seconds(values: list[float]) -> str:
        return f"{max(values):.2f}" if values else "–"

    rows: list[tuple[str, Callable[[Column], str], str]] = [
        ("first visit of a site page (KB, worst page)", lambda c: kb(c.ours.first_site.worst), "≤ 150 (target ≤ 100)"),
        ("the same at @2x, `/vi/` pages (KB, worst page)", lambda c: kb(c.ours.first_site_2x.worst),
         "≤ 150 (target ≤ 100)"),
        ("first visit of the home page, `/vi/` (KB)", lambda c: kb(c.ours.first_home.worst), "≤ 150 (target ≤ 100)"),
        ("repeat visit: another site page, same language (KB)", lambda c: kb(c.ours.repeat.worst), "≤ 30"),
        ("language switch: the same site in the next language (KB)", lambda c: kb(c.ours.switch.worst), "the page only"),
        ("one search typed on `/vi/search/` (KB)", lambda c: kb(c.ours.search.worst), "≤ 100"),
        ("requests to other hosts", lambda c: str(len(c.ours.foreign)), "0"),
        ("largest contentful paint, site page, slow 4G (s)", lambda c: seconds(c.ours.lcp_site), "≤ 2.5"),
        ("largest contentful paint, home page, slow 4G (s)", lambda c: seconds(c.ours.lcp_home), "≤ 2.5"),
        ("plain Material, same text: first visit of a site page (KB)", lambda c: kb(c.plain.first_site.worst), ""),
        ("plain Material: repeat visit (KB)", lambda c: kb(c.plain.repeat.worst), ""),
        ("plain Material: largest contentful paint (s)", lambda c: seconds(c.plain.lcp_site), ""),
        ("plain Material: requests to other hosts", lambda c: str(len(c.plain.foreign)), ""),
    ]
    lines = [f"| | {' | '.join(column.title for column in columns)} | budget |",
             f"|---|{'---:|' * len(columns)}---:|"]
    lines += [f"| {label} | {' | '.join(value(column) for column in columns)} | {budget} |"
              for label, value, budget in rows]
    lines.append("")
    lines.append(f"KB = 1,024 bytes on the wire (headers + gzip body), audio excluded; {picks} sites picked per guide "
                 "(all of the samples), first visits in every language; 390×844 @3x, 1.6 Mbit/s, 150 ms RTT, CPU 4x slower, "
                 "service workers blocked, max-age=600.")
    for column in columns:
        lines.append("")
        lines.append(f"{column.title}:")
        for label, measure in (("first visit of a site page", column.ours.first_site),
                               ("first visit of a site page @2x", column.ours.first_site_2x),
                               ("first visit of the home page", column.ours.first_home),
                               ("repeat visit", column.ours.repeat), ("language switch", column.ours.switch),
                               ("one search", column.ours.search), ("plain Material first visit", column.plain.first_site)):
            base = column.plain.base if label.startswith("plain") else column.ours.base
            lines.append(f"- {label}: median {measure.median:.1f} KB; worst {measure.explain(base)}")
        foreign = sorted(column.ours.foreign | column.plain.foreign)
        if foreign:
            lines.append(f"- other hosts asked: {', '.join(foreign)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=1000, help="sites of the generated guide (0: the samples only)")
    parser.add_argument("--photos", type=int, default=20, help="distinct photos in the generated guide")
    parser.add_argument("--picks", type=int, default=4, help="site pages measured per guide (the samples have 3)")
    options = parser.parse_args()

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        with sync_playwright() as playwright:
            def browser_factory():  # type: ignore[no-untyped-def]
                return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            columns = [measure_size(browser_factory, work, "3 sites", sample_project(work), options.picks)]
            if options.sites:
                started = time.perf_counter()
                project = make_project(work / "generated", options.sites, photos=options.photos).root
                say(f"{options.sites} sites generated in {time.perf_counter() - started:.0f} s")
                columns.append(measure_size(browser_factory, work, f"{options.sites:,} sites", project, options.picks))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(columns, options.picks))


if __name__ == "__main__":
    main()
