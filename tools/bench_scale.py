"""How the build grows with the number of sites: a province is thousands of them.

    python tools/bench_scale.py [SITES]     # default 300

Makes a temporary project with SITES sites (the samples repeated with new ids, slugs and nearby
coordinates, sharing their media), then times each stage of a full build and of a rebuild after one
site changed, and reports page sizes. Prints one line per stage next to the same stage for the 3
sample sites, so the growth per site can be read off directly.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pages, pipeline, registry  # noqa: E402
from generator.load import load_guide  # noqa: E402
from generator.media import render_media  # noqa: E402
from generator.mkdocs_build import build_languages  # noqa: E402


def make_project(target: Path, count: int) -> Path:
    target.mkdir(parents=True)
    for part in ("mkdocs.yml", "media"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / part)
    (target / "sites").mkdir()
    samples = sorted((ROOT / "sites").glob("*.yaml"))
    for number in range(count):
        sample = samples[number % len(samples)]
        text = sample.read_text(encoding="utf-8")
        original_id = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
        slug = f"{sample.stem}-{number}"
        text = (text.replace(f"id: {original_id}", f"id: B{number:05d}", 1)
                    .replace(f"slug: {sample.stem}", f"slug: {slug}", 1))
        text = re.sub(r"(\n  lat: )([\d.]+)", lambda m, n=number: f"{m.group(1)}{float(m.group(2)) + n % 50 * 0.001:.4f}",
                      text, count=1)  # neighbours a little apart, as sites in one area are
        (target / "sites" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return target


def stages(root: Path) -> dict[str, float]:
    """Seconds for each stage of a full build (the plaque stage on a sample of 5 sites, scaled)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    guide = load_guide(root)
    timings["load + validate"] = time.perf_counter() - started
    output = Path(tempfile.mkdtemp(prefix="scale-out-"))
    started = time.perf_counter()
    media = render_media(guide, output, root / ".build" / "cache" / "media")
    timings["media"] = time.perf_counter() - started
    started = time.perf_counter()
    documents = {lang: pages.render_language(guide, lang, media) for lang in guide.languages}
    timings["render pages"] = time.perf_counter() - started
    started = time.perf_counter()
    build_languages(guide, documents, root / ".build", output)
    timings["MkDocs (all languages)"] = time.perf_counter() - started
    started = time.perf_counter()
    pipeline.address_files(guide, registry.forwarding(guide, registry.load_registry(guide)))
    timings["addresses + sitemap"] = time.perf_counter() - started
    sample = tuple(site.id for site in guide.sites[:5])
    started = time.perf_counter()
    pipeline.plaque_files(guide, pipeline.PlaqueOptions(only=sample))
    timings["plaques, uncached (per site)"] = (time.perf_counter() - started) / len(sample)
    html = sorted(output.glob(f"{guide.default_language}/*/index.html"))
    timings["site page HTML (KB, largest)"] = max(p.stat().st_size for p in html) / 1024
    shutil.rmtree(output)
    return timings


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        small = stages(make_project(work / "small", 3))
        large_root = make_project(work / "large", count)
        large = stages(large_root)
        edited = large_root / "sites" / sorted(p.name for p in (large_root / "sites").iterdir())[0]
        edited.write_text(edited.read_text(encoding="utf-8").replace("\nsummary:\n  vi: ", "\nsummary:\n  vi: Sửa. ", 1),
                          encoding="utf-8")
        started = time.perf_counter()
        pipeline.build(large_root, register=False)
        first = time.perf_counter() - started
        edited.write_text(edited.read_text(encoding="utf-8").replace("Sửa. ", "Sửa lại. ", 1), encoding="utf-8")
        started = time.perf_counter()
        pipeline.build(large_root, register=False)
        rebuild = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'stage':<32}{'3 sites':>10}{f'{count} sites':>12}")
    for stage in large:
        print(f"{stage:<32}{small[stage]:>10.2f}{large[stage]:>12.2f}")
    print(f"{'full build, plaques included':<32}{'':>10}{first:>12.2f}")
    print(f"{'rebuild after editing one site':<32}{'':>10}{rebuild:>12.2f}")


if __name__ == "__main__":
    main()
