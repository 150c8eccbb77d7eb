#!/usr/bin/env python3
"""What an overview video and a VR360 panorama cost the media stage: the first build (convert, tile) against a
second build of the same files (the cache), in one run.

    python tools/bench_media.py                       # a 60 s 1080p clip, an 8000 × 4000 panorama
    python tools/bench_media.py --seconds 20 --width 4096

The clip is made by ffmpeg (moving test pattern and a tone, 16 Mbit/s as a phone records); the panorama is
the photo-like picture of tools/bench_panorama.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench_panorama import make_photo  # noqa: E402


def timed(work) -> tuple[float, object]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the test clip")
    parser.add_argument("--width", type=int, default=8000, help="width of the test panorama (2:1)")
    parser.add_argument("--height", type=int, default=480, choices=[480, 720], help="published video lines")
    args = parser.parse_args()

    from generator.cache import FileDigests, Store
    from generator.media import panorama, video

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        clip = work / "clip.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size=1920x1080:rate=30:duration={args.seconds}", "-f", "lavfi", "-i",
                        f"sine=frequency=440:duration={args.seconds}", "-c:v", "libx264", "-b:v", "16M", "-preset",
                        "ultrafast", "-c:a", "aac", "-shortest", str(clip)], check=True)
        photo = work / "panorama.jpg"
        make_photo(photo, args.width)
        digests = FileDigests(Store(work / "digests"))
        rows = []
        for name, source, render in (
            (f"video {args.seconds} s 1080p → {args.height}p", clip,
             lambda: video.render_video(clip, work / "cache", digests, args.height)),
            (f"panorama {args.width} × {args.width // 2}", photo,
             lambda: panorama.render_panorama(photo, work / "cache", digests)),
        ):
            cold, rendered = timed(render)
            warm, _same = timed(render)
            rows.append((name, source.stat().st_size, cold, warm, rendered.size))
        print(f"{'':34} {'source MB':>10} {'first build s':>14} {'second build s':>15} {'published MB':>13}")
        for name, source_bytes, cold, warm, published in rows:
            print(f"{name:34} {source_bytes / 1e6:10.1f} {cold:14.2f} {warm:15.3f} {published / 1e6:13.2f}")
        print("second build / first build:", ", ".join(f"{warm / cold:.4f}" for _n, _s, cold, warm, _p in rows))


if __name__ == "__main__":
    main()
