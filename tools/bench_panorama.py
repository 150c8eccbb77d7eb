#!/usr/bin/env python3
"""How long, and how much memory, does a large panorama take? Seconds and peak memory of render_panorama.

A synthetic 8000 × 4000 JPEG (a photo-like mix of gradients and noise) is made once, then rendered
from nothing in a fresh process, so the peak memory (resident, VmHWM) is the renderer's own.

    python tools/bench_panorama.py                 # 8000 × 4000
    python tools/bench_panorama.py --width 12288   # the largest accepted (12288 × 6144)
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_photo(path: Path, width: int) -> None:
    """Smooth colour over the sphere plus fine noise, so the encoder works as hard as on a real photo."""
    import numpy as np
    from PIL import Image

    height = width // 2
    rng = np.random.default_rng(7)
    rows = []
    for top in range(0, height, 500):  # in bands: the whole float image would dwarf what is measured
        y, x = np.mgrid[top:min(top + 500, height), 0:width].astype(np.float32)
        band = np.stack([128 + 100 * np.sin(x / width * 12.6), 128 + 100 * np.cos(y / height * 9.4),
                         128 + 60 * np.sin((x + y) / 300)], axis=-1)
        band += rng.normal(0, 12, band.shape).astype(np.float32)
        rows.append(np.clip(band, 0, 255).astype(np.uint8))
    Image.fromarray(np.concatenate(rows)).save(path, "JPEG", quality=90)


def peak_megabytes() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss would keep the peak
    of the parent that made the photo."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render(source: Path) -> None:
    """In the child process: render from an empty cache, print seconds and peak memory."""
    from generator.cache import FileDigests, Store
    from generator.media.panorama import render_panorama

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        rendered = render_panorama(source, Path(folder) / "cache", FileDigests(Store(Path(folder))))
        seconds = time.perf_counter() - started
    print(f"{rendered.kind}: {len(rendered.paths)} × {rendered.width} px, {rendered.size / 1e6:.1f} MB; "
          f"{seconds:.1f} s, peak memory {peak_megabytes():.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=8000, help="of the panorama (height: half of it)")
    parser.add_argument("--render", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.render:
        render(arguments.render)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"panorama-{arguments.width}.jpg"
        make_photo(source, arguments.width)
        print(f"{source.name}: {source.stat().st_size / 1e6:.1f} MB")
        return subprocess.run([sys.executable, __file__, "--render", str(source)], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
