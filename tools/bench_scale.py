"""Does a province-sized guide build in a minute, and does an edit show in three seconds?

    python tools/bench_scale.py [--sites 100,1000] [--photos N|all] [--keep DIR]

For each N it generates a realistic project (tools/scale_project.py: varied text in vi/en/zh, one
distinct 2000×1500 photo per site), then runs `python build.py` on it as a volunteer does, in a
subprocess, and times it: fully cold, cold with the photo cache kept, pages alone from nothing (photos
and plaques cached), nothing changed, one edit, one photo replaced; then how long `build.py serve` takes
to show an edit (median of three). Every 50 ms the whole process tree (the build, the fork server and
its workers) is sampled from /proc: memory as summed PSS (pages the workers share with the fork server
count once) and the largest process's RSS, and CPU time per process, so the CPU other programs used
meanwhile can be told apart from the build's.

Two floors say how much of that time is the guide's own: the encoder floor (the same image variants
made with plain Pillow on every core, so "new-photo cost ratio" near 1 means the media stage adds
nothing to the encoder) and the plain-MkDocs floor (a bare Material build of the same text per
language, in parallel, as the guide runs them). Prints one Markdown table, columns per N.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import inspect
import io
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.request
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.media import stage  # noqa: E402
from tools.scale_project import ScaleProject, edit_summary, make_project, replace_photo  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
BUILD_DIR = ".build"  # everything the build keeps between runs (project-relative)
MEDIA_CACHE = ".build/cache/media"  # the one cache "cold, photos cached" keeps; generator/media/stage.py, pipeline.py
ALL_CACHES = ".build/cache"  # generator/cache.py cache_root: pages are rebuilt from nothing, plaques and photos not
PAGES_ONLY = "pages only, cold (photos and plaques cached)"
OUTPUT_DIR = "site"
POLL_SECONDS = 0.05
FLOOR_PHOTOS = 10
BUSY_CORES = 0.25  # when other programs use more CPU than this during a build, say the timings are noisy
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CORES = os.cpu_count() or 1
# Per-stage timings the build prints ("MkDocs, one build per language: 3 of 3 in 1.4 s"; on a terminal redrawn
# after '\r'), on either stream: the stage name is everything up to the last ': '. The pages and MkDocs stages are
# compared with plain MkDocs.
STAGE_LINE = re.compile(r"^\s*(?P<stage>\S.*?)\s*:\s+\d+ of \d+ in (?P<seconds>\d+(?:\.\d+)?)\s*s\s*$")
PAGES_STAGE = re.compile(r"mkdocs|pages", re.IGNORECASE)
TICKS = os.sysconf("SC_CLK_TCK")
SERVE_WORDS = ("Xemtrướcmột", "Xemtrướchai", "Xemtrướcba")  # NFC; in no generated text
SERVE_SITE = 1
SERVE_START_SECONDS = 900.0  # serve's first build, before any edit
SHOW_SECONDS = 60.0


# --- running a build and watching its memory ----------------------------------------------------------------

def _processes() -> dict[int, tuple[int, int, int]]:
    """pid → (parent pid, start time, CPU ticks so far: utime + stime), from /proc/PID/stat."""
    found: dict[int, tuple[int, int, int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()  # the name may hold ')'
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), int(fields[19]), int(fields[11]) + int(fields[12]))  # 4, 22, 14+15
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0  # it ended between listing and reading


def _pss(pid: int) -> int:
    """Proportional set size in bytes: pages shared with the fork server and other workers count once in all."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return _rss(pid)


@dataclass
class TreeSample:
    """One look at `root` and all its descendants."""

    pss: int  # bytes, summed
    largest_rss: int  # bytes, of the largest single process
    ticks: dict[tuple[int, int], int]  # (pid, start time) → CPU ticks used so far


def sample_tree(root: int) -> TreeSample:
    processes = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _start, _ticks) in processes.items():
        children[parent].append(pid)
    sample, pending = TreeSample(0, 0, {}), [root]
    while pending:
        pid = pending.pop()
        if pid in processes:
            sample.pss += _pss(pid)
            sample.largest_rss = max(sample.largest_rss, _rss(pid))
            sample.ticks[pid, processes[pid][1]] = processes[pid][2]
            pending += children[pid]
    return sample


@dataclass
class Run:
    """One build: wall time, peak memory, and what it printed."""

    seconds: float
    returncode: int
    peak_tree: int = 0  # summed PSS
    peak_largest: int = 0  # RSS
    stdout: str = ""
    stderr: str = ""
    other_cores: float = 0.0  # CPU other programs used meanwhile, in cores: above BUSY_CORES timings are noisy

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def stages(self) -> dict[str, float]:
        """Seconds per stage, as the build reported them (a redrawn progress line counts once, at its end)."""
        lines = (part for line in (self.stdout + "\n" + self.stderr).splitlines() for part in line.split("\r"))
        found = (STAGE_LINE.match(re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line)) for line in lines)
        return {m["stage"]: float(m["seconds"]) for m in found if m}


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_watched(command: list[str], cwd: Path) -> Run:
    """Run `command`, sampling the memory and CPU time of its process tree until it ends.

    Workers are the fork server's children, which the build never waits for, so its rusage misses them:
    the tree's CPU is the sum of each process's last sampled time (its final < 50 ms slice is missed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy, own = _busy_seconds(), time.process_time()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
        peaks = [0, 0]
        ticks: dict[tuple[int, int], int] = {}
        done = threading.Event()

        def record() -> None:
            sample = sample_tree(process.pid)
            peaks[0], peaks[1] = max(peaks[0], sample.pss), max(peaks[1], sample.largest_rss)
            ticks.update(sample.ticks)

        def sample() -> None:
            while not done.is_set():
                record()
                done.wait(POLL_SECONDS)

        watcher = threading.Thread(target=sample, daemon=True)
        watcher.start()
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # ended, not reaped: /proc still has its CPU time
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        record()
        _pid, status = os.waitpid(process.pid, 0)
        process.returncode = returncode = os.waitstatus_to_exitcode(status)
        other = _busy_seconds() - busy - sum(ticks.values()) / TICKS - (time.process_time() - own)
        out.seek(0)
        err.seek(0)
        return Run(seconds, returncode, peaks[0], peaks[1], out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"), max(0.0, other / seconds))


def build_command(project: Path, *args: str) -> list[str]:
    """This repository's build.py and generator, pointed at the generated project."""
    return [PYTHON, str(ROOT / "build.py"), "--lang", "en", "--root", str(project), *args]


def report_failure(label: str, run: Run) -> None:
    print(f"  {label}: build failed with exit code {run.returncode}; last lines of its stderr:", file=sys.stderr)
    for line in run.stderr.strip().splitlines()[-15:]:
        print(f"    {line}", file=sys.stderr)


# --- the cases ------------------------------------------------------------------------------------------------

def clear_caches(project: Path, keep: str | None) -> None:
    """Delete site/ and everything under .build/ except the folder `keep` (and the folders above it)."""
    shutil.rmtree(project / OUTPUT_DIR, ignore_errors=True)
    build = project / BUILD_DIR
    if keep is None:
        shutil.rmtree(build, ignore_errors=True)
        return
    kept = project / keep
    for path in list(build.rglob("*")) if build.exists() else []:
        if not path.exists() or path == kept or kept.is_relative_to(path) or path.is_relative_to(kept):
            continue  # already removed with its folder, or kept
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


@dataclass
class Scale:
    """Everything measured for one N."""

    project: ScaleProject
    generate_seconds: float
    runs: dict[str, Run] = field(default_factory=dict)
    floor: EncoderFloor | None = None
    mkdocs_seconds: float | None = None
    serve_shown: float | str = "–"  # median seconds from saving an edit to serve showing it, or why not


def measure_builds(project: ScaleProject) -> dict[str, Run]:
    """The six cases, in order; a failed case is reported and the next one still runs."""
    root, runs = project.root, {}

    def build(label: str) -> None:
        print(f"  {label} ...", file=sys.stderr, flush=True)
        runs[label] = run = run_watched(build_command(root), root)
        print(f"  {label}: {run.seconds:.1f} s", file=sys.stderr, flush=True)
        if not run.ok:
            report_failure(label, run)

    clear_caches(root, None)
    build("fully cold")
    if runs["fully cold"].ok and not (root / MEDIA_CACHE).is_dir():
        print(f"  warning: no {MEDIA_CACHE} after a build; set MEDIA_CACHE in {Path(__file__).name} to where the "
              "photo cache is now, or 'cold, photos cached' is fully cold", file=sys.stderr)
    clear_caches(root, MEDIA_CACHE)
    build("cold, photos cached")
    clear_caches(root, ALL_CACHES)  # pages from nothing, nothing else to do: the guide's own pages cost
    build(PAGES_ONLY)
    build("nothing changed")
    edit_summary(project.site_file(1), "Mới")
    build("one edit")
    replace_photo(project, 1, f"replaced-{project.seed}")
    build("one photo replaced")
    return runs


# --- an edit shown by `build.py serve` ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _page(url: str) -> str | None:
    """The page's text (NFC), or None while it is not served."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return unicodedata.normalize("NFC", response.read().decode("utf-8", errors="replace"))
    except (OSError, http.client.HTTPException):  # refused, 404 (HTTPError), cut off
        return None


def _shows(serve: subprocess.Popen[bytes], url: str, word: str, seconds: float) -> bool:
    """Poll `url` every POLL_SECONDS until it is served with `word` in it; False after `seconds` or if serve ended."""
    deadline = time.perf_counter() + seconds
    while serve.poll() is None:
        page = _page(url)
        if page is not None and word in page:
            return True
        if time.perf_counter() > deadline:
            return False
        time.sleep(POLL_SECONDS)
    return False


def measure_serve(project: ScaleProject) -> float | str:
    """Median seconds from saving a Vietnamese summary edit to `build.py serve` serving the page with it
    (one edit per SERVE_WORDS), or why there is none. site/ is removed first, so the page answers only once
    serve's own first build is in place."""
    root, slug = project.root, f"site-{SERVE_SITE:05d}"  # as tools/scale_project.py names them
    port = free_port()
    url = f"http://127.0.0.1:{port}/vi/{slug}/"
    shutil.rmtree(root / OUTPUT_DIR, ignore_errors=True)
    with tempfile.TemporaryFile() as log:
        serve = subprocess.Popen(build_command(root, "serve", "--port", str(port)), cwd=root, stdout=log,
                                 stderr=subprocess.STDOUT, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
        try:
            if not _shows(serve, url, "", SERVE_START_SECONDS):
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-15:]
                print("  serve: its first build was not served; last lines it printed:", *tail, sep="\n    ",
                      file=sys.stderr)
                return "serve failed"
            delays = []
            for word in SERVE_WORDS:
                edit_summary(project.site_file(SERVE_SITE), word)
                saved = time.perf_counter()
                if not _shows(serve, url, word, SHOW_SECONDS):
                    return f"no change after {SHOW_SECONDS:.0f} s"
                delays.append(time.perf_counter() - saved)
                print(f"  one edit shown by serve: {delays[-1]:.2f} s", file=sys.stderr, flush=True)
            return statistics.median(delays)
        finally:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=120)  # a rebuild under way finishes first
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()


# --- the encoder floor ----------------------------------------------------------------------------------------

def webp_method() -> tuple[int, str]:
    """The WebP `method` generator/media/stage.py encodes with, and where that number came from."""
    if hasattr(stage, "WEBP_METHOD"):
        return int(stage.WEBP_METHOD), "generator.media.stage.WEBP_METHOD"
    found = re.search(r"method\s*=\s*(\d+)", inspect.getsource(stage))
    if found:
        return int(found[1]), "read from generator/media/stage.py source (not a constant there)"
    return 4, "assumed (not found in generator/media/stage.py)"


def variant_widths(width: int) -> list[int]:
    """The WebP widths stage.py makes for a photo this wide (its `_widths`)."""
    return sorted({w for w in stage.WIDTHS if w < width} | {min(width, stage.WIDTHS[-1])})


def encode_floor(path: Path, method: int) -> dict[str, tuple[float, int]]:
    """Decode once, then resize and encode every variant into memory; {variant: (CPU seconds, bytes)}, plus the total."""
    cpu = time.process_time()
    timings: dict[str, tuple[float, int]] = {}
    with Image.open(path) as opened:
        opened.load()
        picture = ImageOps.exif_transpose(opened).convert("RGB")
    timings["decode"] = (time.process_time() - cpu, 0)
    widths = variant_widths(picture.width)
    for width in widths:
        timings[f"webp {width}"] = _encode(picture, width, "WEBP", quality=stage.WEBP_QUALITY, method=method)
    fallback = max((w for w in widths if w <= stage.FALLBACK_WIDTH), default=widths[0])
    timings[f"jpeg {fallback}"] = _encode(picture, fallback, "JPEG", quality=stage.JPEG_QUALITY, optimize=True,
                                          progressive=True)
    timings["cpu"] = (time.process_time() - cpu, 0)
    return timings


def _encode(picture: Image.Image, width: int, kind: str, **options: object) -> tuple[float, int]:
    """CPU seconds (steady when other programs share the cores) and bytes of one resized variant."""
    started = time.process_time()
    buffer = io.BytesIO()
    picture.resize((width, round(picture.height * width / picture.width)), Image.Resampling.LANCZOS).save(
        buffer, kind, **options)
    return time.process_time() - started, buffer.tell()


@dataclass(frozen=True)
class EncoderFloor:
    cpu_per_photo: float
    variants: dict[str, tuple[float, float]]  # variant → (mean seconds, mean bytes)
    method: int
    method_source: str

    def wall(self, photos: int) -> float:
        """Seconds for `photos` new photos with every core busy and nothing else to do."""
        return self.cpu_per_photo * photos / CORES


def encoder_floor(project: ScaleProject) -> EncoderFloor:
    """Encode ~10 generated photos on every core, as plain Pillow would."""
    method, source = webp_method()
    paths = [project.root / "media" / project.photo_name(n) for n in range(1, min(FLOOR_PHOTOS, project.photos) + 1)]
    with ProcessPoolExecutor(max_workers=CORES) as pool:
        results = list(pool.map(encode_floor, paths, [method] * len(paths)))
    names = [name for name in results[0] if name != "cpu"]
    variants = {name: (statistics.mean(r[name][0] for r in results), statistics.mean(r[name][1] for r in results))
                for name in names}
    return EncoderFloor(statistics.mean(r["cpu"][0] for r in results), variants, method, source)


# --- the plain-MkDocs floor -------------------------------------------------------------------------------------

def _search_plugin(language: str) -> dict:
    """The search settings the guide uses for this language (its word separator for Chinese)."""
    separators = getattr(importlib.import_module("generator.web.mkdocs_build"), "SEARCH_SEPARATORS", {})
    search: dict = {"lang": [language]}
    if language in separators:
        search["separator"] = separators[language]
    return {"search": search}


def site_texts(project: ScaleProject) -> list[dict]:
    """Every generated site's data, read back from its file (once, with the C loader when there is one)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [yaml.load(project.site_file(n).read_text(encoding="utf-8"), Loader=loader)  # a safe loader
            for n in range(1, project.sites + 1)]


def plain_docs(sites: list[dict], language: str, folder: Path) -> Path:
    """One Markdown page per site with its name and body, and a minimal config; returns the config file."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for site in sites:
        text = f"# {site['name'].get(language, site['name']['vi'])}\n\n{site['body'].get(language, site['body']['vi'])}"
        (docs / f"{site['slug']}.md").write_text(text, encoding="utf-8")
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    config = {
        "site_name": "Plain floor", "docs_dir": str(docs), "site_dir": str(folder / "site"),
        "theme": {"name": "material", "language": language, "font": False},
        "plugins": [_search_plugin(language)],
        "nav": [{"Home": "index.md"}],
        "not_in_nav": "/*.md",  # without it MkDocs embeds every page in every page's nav: quadratic
    }
    config_file = folder / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_file


def mkdocs_floor(project: ScaleProject, work: Path) -> float | None:
    """Wall seconds of plain `mkdocs build` for every language, run side by side on the cores."""
    settings = yaml.safe_load((project.root / "mkdocs.yml").read_text(encoding="utf-8"))
    languages = settings.get("extra", {}).get("guide", {}).get("languages", ["vi", "en", "zh"])
    sites = site_texts(project)
    configs = [plain_docs(sites, language, work / language) for language in languages]

    def build(config: Path) -> int:
        command = [PYTHON, "-m", "mkdocs", "build", "--quiet", "--config-file", str(config)]
        return subprocess.run(command, capture_output=True, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
                              check=False).returncode

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(len(configs), CORES)) as pool:
        codes = list(pool.map(build, configs))
    seconds = time.perf_counter() - started
    if any(codes):
        print(f"  plain MkDocs failed: exit codes {codes}", file=sys.stderr)
        return None
    return seconds


# --- one N, and the table ------------------------------------------------------------------------------------------

def measure(sites: int, photos: int | None, work: Path, seed: int) -> Scale | None:
    print(f"{sites} sites: generating the project in {work} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    project = make_project(work / "project", sites, photos, seed)
    scale = Scale(project, time.perf_counter() - started)
    print(f"  generated in {scale.generate_seconds:.1f} s: {project.photos} distinct photos, "
          f"{project.photo_bytes / project.photos / 1e6:.2f} MB each on average", file=sys.stderr)
    if project.photos < sites:
        print(f"  photos are shared: {sites} sites use {project.photos} distinct photos", file=sys.stderr)
    check = run_watched(build_command(project.root, "check"), project.root)
    if not check.ok:
        report_failure("build.py check on the generated project", check)
        return None
    scale.runs = measure_builds(project)
    print("  one edit shown by serve ...", file=sys.stderr, flush=True)
    scale.serve_shown = measure_serve(project)
    print("  encoder floor ...", file=sys.stderr, flush=True)
    scale.floor = encoder_floor(project)
    print("  plain-MkDocs floor ...", file=sys.stderr, flush=True)
    scale.mkdocs_seconds = mkdocs_floor(project, work / "plain")
    return scale


def _seconds(scale: Scale, label: str) -> str:
    run = scale.runs.get(label)
    if run is None:
        return "–"
    return f"{run.seconds:.1f}" if run.ok else f"failed ({run.returncode}) after {run.seconds:.1f}"


def _ok(scale: Scale, label: str) -> float | None:
    run = scale.runs.get(label)
    return run.seconds if run and run.ok else None


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return f"{numerator / denominator:.1f}" if numerator is not None and denominator else "–"


def _pages_ratio(scale: Scale) -> tuple[str, str]:
    """The guide's pages + MkDocs stages over plain MkDocs when the build prints stage times; else the whole
    cached build. The two stages start together and overlap (each language's MkDocs build starts once
    its pages are written), so their span is the longer of the two; plaques render meanwhile."""
    run = scale.runs.get(PAGES_ONLY)
    stages = run.stages() if run and run.ok else {}
    pages = max((seconds for stage, seconds in stages.items() if PAGES_STAGE.search(stage)), default=0.0)
    if pages:
        return ("guide pages + MkDocs stages, cold (photos and plaques cached) / plain-MkDocs floor",
                _ratio(pages, scale.mkdocs_seconds))
    return "cold-cached whole build / plain-MkDocs floor", _ratio(_ok(scale, "cold, photos cached"), scale.mkdocs_seconds)


def table(scales: list[Scale]) -> str:
    """The README table: one row per measure, one column per N."""
    def mb(values: list[int]) -> str:
        return f"{max(values) / 2**20:.0f}" if values else "–"

    rows: list[tuple[str, list[str]]] = [
        ("distinct photos", [str(s.project.photos) for s in scales]),
        ("project generation (s)", [f"{s.generate_seconds:.1f}" for s in scales]),
    ]
    for label in ("fully cold", "cold, photos cached", PAGES_ONLY, "nothing changed", "one edit", "one photo replaced"):
        rows.append((f"{label} (s)", [_seconds(s, label) for s in scales]))
    rows += [
        ("one edit shown by serve (s)",
         [f"{s.serve_shown:.1f}" if isinstance(s.serve_shown, float) else s.serve_shown for s in scales]),
        ("peak memory, all build processes (PSS, MB)",
         [mb([r.peak_tree for r in s.runs.values() if r.ok]) for s in scales]),
        ("peak memory, largest process (RSS, MB)", [mb([r.peak_largest for r in s.runs.values() if r.ok]) for s in scales]),
        ("encoder floor per photo (CPU s)", [f"{s.floor.cpu_per_photo:.2f}" if s.floor else "–" for s in scales]),
        (f"encoder floor, all photos on {CORES} cores (s)",
         [f"{s.floor.wall(s.project.photos):.1f}" if s.floor else "–" for s in scales]),
        ("new-photo cost ratio", [_new_photo_ratio(s) for s in scales]),
        ("plain-MkDocs floor (s)", [f"{s.mkdocs_seconds:.1f}" if s.mkdocs_seconds else "–" for s in scales]),
    ]
    rows.append(("other programs' CPU during builds, max (cores)",
                 [f"{max((r.other_cores for r in s.runs.values()), default=0):.2f}" for s in scales]))
    labels = {_pages_ratio(s)[0] for s in scales}
    rows.append((" or ".join(sorted(labels)), [_pages_ratio(s)[1] for s in scales]))
    lines = ["| | " + " | ".join(f"{s.project.sites} sites" for s in scales) + " |",
             "|---|" + "---:|" * len(scales)]
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in rows]
    return "\n".join(lines)


def _new_photo_ratio(scale: Scale) -> str:
    """(fully cold − cold with photos cached) / encoder floor for the same photos: 1.0 is the encoder alone."""
    cold, cached = _ok(scale, "fully cold"), _ok(scale, "cold, photos cached")
    if cold is None or cached is None or scale.floor is None:
        return "–"
    return _ratio(cold - cached, scale.floor.wall(scale.project.photos))


def stage_table(scale: Scale) -> str:
    """Seconds per stage of each case, when the build prints them; empty otherwise."""
    stages = {label: run.stages() for label, run in scale.runs.items() if run.ok}
    names = list(dict.fromkeys(name for found in stages.values() for name in found))
    if not names:
        return ""
    lines = [f"Stages as the build reports them, {scale.project.sites} sites (s):", "",
             "| case | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, found in stages.items():
        lines.append(f"| {label} | " + " | ".join(f"{found[n]:.1f}" if n in found else "–" for n in names) + " |")
    return "\n".join(lines)


def variant_table(scale: Scale) -> str:
    """Mean time and size per variant, to judge which variants earn their cost."""
    assert scale.floor is not None
    lines = [f"Variants, {scale.project.sites} sites (mean over {min(FLOOR_PHOTOS, scale.project.photos)} photos, "
             f"WebP quality {stage.WEBP_QUALITY} method {scale.floor.method} [{scale.floor.method_source}], "
             f"JPEG quality {stage.JPEG_QUALITY}; resize included):", "",
             "| variant | CPU ms | KB |", "|---|---:|---:|"]
    for name, (seconds, size) in scale.floor.variants.items():
        lines.append(f"| {name} | {seconds * 1000:.0f} | {size / 1024:.0f} |" if size else f"| {name} | {seconds * 1000:.0f} | |")
    return "\n".join(lines)


# --- command line ---------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", default="100", help="comma-separated site counts (default: 100)")
    parser.add_argument("--photos", default="all", help="distinct photos at most (sites beyond share them), or 'all'")
    parser.add_argument("--keep", type=Path, default=None, help="generate into DIR/sites-N (replaced if there) and keep it")
    parser.add_argument("--seed", type=int, default=1, help="seed for text and photos (default: 1)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    counts = [int(part) for part in args.sites.split(",") if part.strip()]
    photos = None if args.photos == "all" else int(args.photos)
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    scales: list[Scale] = []
    try:
        for count in counts:
            work = base / f"sites-{count}"
            if work.exists():
                shutil.rmtree(work)
            scale = measure(count, photos, work, args.seed)
            if scale:
                scales.append(scale)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    if not scales:
        return 1
    print(f"\nScale benchmark on {CORES} cores ({os.uname().machine}), Python {sys.version.split()[0]}:\n")
    print(table(scales))
    for scale in scales:
        for part in (stage_table(scale), variant_table(scale) if scale.floor else ""):
            if part:
                print(f"\n{part}")
    shared = [s for s in scales if s.project.photos < s.project.sites]
    for scale in shared:
        print(f"\n{scale.project.sites} sites share {scale.project.photos} distinct photos (--photos).")
    busiest = max((r.other_cores for s in scales for r in s.runs.values()), default=0.0)
    if busiest > BUSY_CORES:
        print(f"\nNote: other programs used up to {busiest:.1f} of the {CORES} cores during a build; "
              "these timings are noisy.")
    failed = [s for s in scales if any(not r.ok for r in s.runs.values())]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
