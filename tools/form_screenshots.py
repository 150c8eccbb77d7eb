#!/usr/bin/env python3
"""The handbook's pictures of the form editor, taken from the real form on a 412 px phone screen.

Builds the sample guide into a temporary folder, opens /admin/ in headless Chromium on the sample site files,
and goes through the steps the browser tests go through (tests/form_driver.py): the list of sites, one site
being edited, and a new site with its position and its photo. Writes handbook/images/form-*-412.png.

    python tools/form_screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402 - needs the repository on sys.path
from tests.conftest import chromium, copy_project, served  # noqa: E402
from tests.form_driver import add_site, open_form, show, site_files  # noqa: E402

IMAGES = ROOT / "handbook" / "images"
WIDTH, HEIGHT = 412, 915


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="form-screenshots-"))
    root = copy_project(work / "guide", share_cache=False)
    output = Path(pipeline.build(root).output)
    photo = work / "anh-dinh.jpg"
    shutil.copy(ROOT / "media" / "den-xa-tac" / "illustration.jpg", photo)
    server, browsers = served(output), chromium()
    try:
        address, browser = next(server), next(browsers)
        outside: list[str] = []

        def shot(step: str) -> None:
            target = IMAGES / f"form-{step}-{WIDTH}.png"
            page.wait_for_timeout(1500)  # fields and thumbnails are drawn once they are in view
            # Scrolling a field into view by script may shift the form sideways; a thumb scrolls it back.
            page.evaluate("document.querySelectorAll('*').forEach((e) => { if (e.scrollLeft) e.scrollLeft = 0; })")
            page.screenshot(path=str(target))
            with Image.open(target) as written:
                print(target.relative_to(ROOT), written.size)

        page = open_form(browser, address, WIDTH, HEIGHT, site_files(root), outside)
        page.get_by_text("Đền Xã Tắc").first.wait_for()
        shot("list")
        page.get_by_text("Đền Xã Tắc").first.click()
        show(page, "Tên di tích")
        shot("edit")
        page.context.close()

        page = open_form(browser, address, WIDTH, HEIGHT, site_files(root), outside)
        add_site(page, photo, shot)
        page.context.close()
        assert not outside, f"the form asked other hosts: {outside}"
    finally:
        browsers.close()
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
