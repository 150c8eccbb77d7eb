#!/usr/bin/env python3
"""What the form editor costs: the editors' download, the form's generation, and merging a save back.

    python tools/bench_form.py [--sites 2000] [--merges 50]

Generates a project of `--sites` varied site files (tools/scale_project.py, 3 distinct photos), then:

- /admin/: bytes of the bundle as published and gzipped (what an editor downloads once; no visitor page
  loads it), and of every file the build writes there; seconds to generate the form from the model;
- keep_unedited: milliseconds to merge a form's save (comments gone, one field edited) back into a site
  file, over `--merges` generated files and over the commented samples;
- `build.py edit` after one save among `--sites` files: the merge of the files that changed (what the
  watch loop does) against reading every site file again (the baseline, as it did before), both timed here.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.commands.preview import FormSaves  # noqa: E402 - needs the repository on sys.path
from generator.source.load import Project, load_settings  # noqa: E402
from generator.source.merge import keep_unedited  # noqa: E402
from generator.web import admin  # noqa: E402
from tools.scale_project import make_project  # noqa: E402

REPEATS = 5


def form_save(text: str, summary: str) -> str:
    """A save as the form writes it: the data dumped again, no comment, the Vietnamese summary edited."""
    data = yaml.safe_load(text)
    data["summary"]["vi"] = summary
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def merge_times(paths: list[Path]) -> list[float]:
    """Milliseconds of keep_unedited for each file, one field edited."""
    times = []
    for path in paths:
        original = path.read_text(encoding="utf-8")
        save = form_save(original, "Sửa từ biểu mẫu.")
        start = time.perf_counter()
        merged = keep_unedited(original, save)
        times.append((time.perf_counter() - start) * 1000)
        assert yaml.safe_load(merged)["summary"]["vi"] == "Sửa từ biểu mẫu."
    return times


def seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--merges", type=int, default=50)
    args = parser.parse_args()

    settings = load_settings(Project(ROOT))[0]
    config_seconds = min(seconds(lambda: admin.config(settings)) for _ in range(5))
    script, text = admin.bundle()
    written = admin.written_files("Guide", settings, "owner/name", "DT01")
    installed = admin.installed_files()
    total = sum(len(body.encode()) for body in written.values()) + sum(path.stat().st_size for path in installed.values())

    with tempfile.TemporaryDirectory(prefix="bench-form-") as work:
        project = make_project(Path(work) / "guide", sites=args.sites, photos=3)
        generated = merge_times([project.site_file(n) for n in range(1, min(args.merges, args.sites) + 1)])
        samples = merge_times(sorted((ROOT / "sites").glob("*.yaml")))

        sites_dir = Project(project.root).sites_dir
        start = time.perf_counter()
        saves = FormSaves(sites_dir)
        first_read = time.perf_counter() - start
        edited = project.site_file(args.sites // 2)
        changed_times = []
        for attempt in range(REPEATS):  # a new save each time: the best of several, as the machine allows
            edited.write_text(form_save(edited.read_text(encoding="utf-8"), f"Sửa lần {attempt}."), encoding="utf-8")
            changed_times.append(seconds(lambda: saves.restore([edited])))
        changed_only = min(changed_times)
        every_file = min(seconds(lambda: {path: path.read_text(encoding="utf-8")
                                          for path in sorted(sites_dir.glob("*.yaml"))}) for _ in range(REPEATS))

    print(f"| form editor, {args.sites} generated sites | measured |")
    print("| --- | --- |")
    print(f"| bundle as published ({Path(script).name}) | {len(text.encode()) / 1e6:.2f} MB |")
    print(f"| bundle gzipped (an editor's one download) | {len(gzip.compress(text.encode(), 6)) / 1e6:.2f} MB |")
    print(f"| every file under /admin/ | {total / 1e6:.2f} MB ({len(written) + len(installed)} files) |")
    print(f"| the form generated from the model | {config_seconds * 1000:.1f} ms |")
    print(f"| keep_unedited, generated file (median / max of {len(generated)}) | "
          f"{statistics.median(generated):.1f} / {max(generated):.1f} ms |")
    print(f"| keep_unedited, commented samples (median / max of {len(samples)}) | "
          f"{statistics.median(samples):.1f} / {max(samples):.1f} ms |")
    print(f"| edit: site files read when it starts | {first_read * 1000:.0f} ms |")
    print(f"| edit: a save merged back, the changed file only | {changed_only * 1000:.1f} ms |")
    before = every_file + changed_only  # as `edit` did before: every site file read again, then the merge
    print(f"| baseline: every site file read again, then the merge | {before * 1000:.1f} ms "
          f"({before / changed_only:.1f}× the changed file's merge alone) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
