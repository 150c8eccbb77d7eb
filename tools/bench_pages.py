"""Page weight and speed of site pages, next to a plain Material for MkDocs build of the same text.

    python tools/bench_pages.py

Builds the sample guide and a default Material site from the same sites (every page in the nav, the
original photos, theme defaults), serves both with gzip on 127.0.0.1, and loads each site page in
headless Chromium at a phone viewport under emulated slow 4G (1.6 Mbit/s, 150 ms RTT, 4x CPU
slowdown), with the caching headers GitHub Pages sends (max-age=600). Prints, per build: bytes
transferred on a first visit (audio excluded), on a repeat visit
to another site page, requests to other hosts, and largest contentful paint; with the budgets.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402
from generator.load import load_guide  # noqa: E402
from generator.server import serve_in_background  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
BUDGETS = {"first visit KB": 150, "repeat visit KB": 30, "other hosts": 0, "LCP s": 2.5}
LCP_SCRIPT = """new Promise(resolve => {
  new PerformanceObserver(list => { const e = list.getEntries(); resolve(e[e.length - 1].startTime / 1000); })
    .observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => resolve(null), 5000);
})"""


def plain_material(root: Path, target: Path) -> list[str]:
    """A default Material build of the same text, as a user of plain Material would make it."""
    guide = load_guide(ROOT)
    docs = target / "docs"
    (docs / "media").mkdir(parents=True)
    paths = []
    for site in guide.sites:
        lines = [f"# {site.name['vi']}", "", site.summary["vi"], ""]
        for image in site.images:
            name = image.file.replace("/", "-")
            shutil.copyfile(ROOT / "media" / image.file, docs / "media" / name)
            lines += [f"![{image.alt['vi']}](media/{name})", ""]
        lines.append(site.body["vi"])
        (docs / f"{site.slug}.md").write_text("\n".join(lines), encoding="utf-8")
        paths.append(f"{site.slug}/")
    (docs / "index.md").write_text(f"# {guide.settings.title['vi']}\n", encoding="utf-8")
    config = {"site_name": guide.settings.title["vi"], "docs_dir": str(docs), "site_dir": str(target / "site"),
              "theme": {"name": "material", "language": "vi"}}
    (target / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(target / "mkdocs.yml")))
    return paths


def measure(browser, server, paths: list[str]) -> dict[str, float]:
    """First visit of each page in a fresh browser profile, then a repeat visit to the next site page
    in the same language."""
    first, repeat, lcp, foreign = [], [], [], set()
    for index, path in enumerate(paths):
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3,
                                      is_mobile=True, has_touch=True)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        urls: list[str] = []
        cdp.on("Network.requestWillBeSent", lambda e, urls=urls: urls.append(e["request"]["url"]))
        page.on("request", lambda request, urls=urls: urls.append(request.url))
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        server.sent.clear()

        def transferred(page=page, urls=urls) -> float:
            """Bytes the server put on the wire (the service worker's fetches included), audio excluded."""
            page.wait_for_timeout(300)
            total = sum(size for path, size in server.sent if not path.endswith((".mp3", ".m4a", ".ogg")))
            foreign.update(urlsplit(u).netloc for u in urls if urlsplit(u).hostname not in ("127.0.0.1", None))
            server.sent.clear()
            urls.clear()
            return total / 1024

        page.goto(base + path, wait_until="load")
        lcp.append(page.evaluate(LCP_SCRIPT) or float("nan"))
        first.append(transferred())
        language = path.split("/")[0] if path.count("/") > 1 else ""
        same = [p for p in paths if p != path and p.startswith(language)]
        page.goto(base + same[index % len(same)], wait_until="load")
        repeat.append(transferred())
        context.close()
    return {"first visit KB": max(first), "repeat visit KB": max(repeat), "other hosts": len(foreign - {""}),
            "LCP s": max(lcp), "_hosts": sorted(foreign - {""}), "_median_first": statistics.median(first)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        project = work / "guide"
        project.mkdir()
        for part in ("mkdocs.yml", "sites", "media", "plaques.yaml"):
            source = ROOT / part
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / part)
        guide = pipeline.build(project).guide
        guide_paths = [f"{lang}/{site.slug}/" for lang in guide.languages for site in guide.sites]
        plain_paths = plain_material(ROOT, work / "plain")
        ours = serve_in_background(project / "site")
        plain = serve_in_background(work / "plain" / "site")
        for server in (ours, plain):
            server.cache_control = "max-age=600"  # what GitHub Pages sends
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            results = {
                "this guide": measure(browser, ours, guide_paths),
                "plain Material": measure(browser, plain, plain_paths),
            }
            browser.close()
        ours.shutdown()
        plain.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Site pages at 390x844 @3x, slow 4G (1.6 Mbit/s, 150 ms RTT), CPU 4x slower; worst page of "
          f"{len(guide_paths)} (guide) and {len(plain_paths)} (plain Material)")
    print(f"{'metric':<18}{'budget':>8}{'this guide':>12}{'plain Material':>16}")
    for metric, budget in BUDGETS.items():
        values = [results[name][metric] for name in ("this guide", "plain Material")]
        print(f"{metric:<18}{budget:>8}{values[0]:>12.2f}{values[1]:>16.2f}")
    for name, result in results.items():
        print(f"{name}: median first visit {result['_median_first']:.1f} KB; other hosts asked: {result['_hosts'] or 'none'}")


if __name__ == "__main__":
    main()
