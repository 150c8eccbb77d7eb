"""Driving the form editor at /admin/ in Chromium as a volunteer does: shared by its tests and by the handbook's
screenshots (tools/form_screenshots.py), so the pictures show the steps the tests prove.

Sveltia's local mode asks the browser for a folder (`showDirectoryPicker`); headless Chromium has no picker,
so the page is given the origin's private file system with the site files in it, the same kind of folder
handle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

VIEWPORTS = [(412, 915), (1280, 800)]  # a common Android phone, a laptop
SEED = """async (files) => {
  const root = await navigator.storage.getDirectory();
  for (const [path, data] of Object.entries(files)) {
    let folder = root;
    const parts = path.split('/');
    for (const part of parts.slice(0, -1)) folder = await folder.getDirectoryHandle(part, {create: true});
    const file = await folder.getFileHandle(parts.at(-1), {create: true});
    const writer = await file.createWritable();
    await writer.write(typeof data === 'string' ? data : new Uint8Array(data));
    await writer.close();
  }
}"""
READ_BACK = """async () => {
  const found = {};
  async function walk(folder, prefix) {
    for await (const [name, handle] of folder.entries()) {
      if (handle.kind === 'directory') await walk(handle, prefix + name + '/');
      else {
        try {
          found[prefix + name] = Array.from(new Uint8Array(await (await handle.getFile()).arrayBuffer()));
        } catch (error) {  // being written or moved by the form at this moment: read on the next look
          if (error.name !== 'NotFoundError') throw error;
        }
      }
    }
  }
  await walk(await navigator.storage.getDirectory(), '');
  return found;
}"""
# The input whose label is `leaf` inside the field group labelled `group`: the closest box holding both holds
# only that group's few inputs (a box holding many is the whole form, reached from another group's input).
MARK_FIELD = """([group, leaf]) => {
  let best = null, bestSize = Infinity;
  for (const input of document.querySelectorAll('input, textarea, [contenteditable=true]')) {
    const ids = (input.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    const label = ids.map(id => document.getElementById(id)?.textContent.trim() ?? '').join(' ');
    if (!label.startsWith(leaf)) continue;
    let box = input;
    while (box && !(group === '' || (box.textContent || '').includes(group))) box = box.parentElement;
    const size = box ? box.querySelectorAll('input, textarea, [contenteditable=true]').length : Infinity;
    if (size < bestSize) { best = input; bestSize = size; }
  }
  document.querySelectorAll('[data-test-field]').forEach(e => e.removeAttribute('data-test-field'));
  if (!best) return false;
  best.setAttribute('data-test-field', '');
  return true;
}"""


# Headless Chromium has no folder picker: the origin's private file system is the same kind of folder handle.
# Every breach of the page's Content-Security-Policy is kept, from the first script on.
START = """
window.showDirectoryPicker = async () => navigator.storage.getDirectory();
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def open_form(browser: Any, address: str, width: int, height: int, files: dict[str, Any], outside: list[str]) -> Any:
    """/admin/ on the local repository `files`, at the collection of sites; requests to other hosts go to `outside`."""
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((address, "data:", "blob:")) else None)
    page.add_init_script(START)
    page.goto(address + "admin/")
    page.evaluate(SEED, files)
    page.get_by_text("Làm việc với kho mã nguồn cục bộ").click()
    page.get_by_text("Di tích", exact=True).first.click()
    return page


SHOW_GROUP = """(group) => {
  const label = Array.from(document.querySelectorAll('body *'))
    .find(e => e.children.length === 0 && e.textContent.trim().startsWith(group));
  if (!label) return false;
  label.scrollIntoView({block: 'start'});
  for (let box = label; box; box = box.parentElement) box.scrollLeft = 0;  // scrolled down only, as a thumb does
  return true;
}"""


# Fields, and the Markdown editor's toolbar, that reach past the right edge of the screen (cut off on a phone);
# null while no Markdown editor is drawn (the widest field, so there would be nothing to measure).
CUT_OFF = """(width) => document.querySelector('[contenteditable=true]') && Array.from(
  document.querySelectorAll('input, textarea, [contenteditable=true], .toolbar'))
  .filter((e) => e.getBoundingClientRect().right > width + 1).map((e) => e.outerHTML.slice(0, 80))"""


def saved(page: Any, before: dict[str, Any]) -> dict[str, bytes]:
    """The files the form's save wrote (new or changed since `before`), once it has settled: a save writes the
    site file and its photos one after the other."""
    def changes() -> dict[str, bytes]:
        return {path: bytes(data) for path, data in page.evaluate(READ_BACK).items()
                if path not in before or before[path] != bytes(data).decode("utf-8", "replace")}

    last: dict[str, bytes] = {}
    for _ in range(100):
        now = changes()
        if now and now == last:
            return now
        last = now
        page.wait_for_timeout(200)
    raise AssertionError("the form saved nothing")


def show(page: Any, group: str) -> None:
    """Scroll to a field group as a thumb does, so the form draws it."""
    page.evaluate(SHOW_GROUP, group)
    page.mouse.move(page.viewport_size["width"] // 2, page.viewport_size["height"] // 2)
    page.mouse.wheel(0, 40)
    page.wait_for_timeout(500)


def fill(page: Any, group: str, leaf: str, value: str) -> None:
    """Type into one field as a volunteer does; the form draws fields only as they scroll into view."""
    for _ in range(40):
        if page.evaluate(SHOW_GROUP, group):
            page.wait_for_timeout(300)
            if page.evaluate(MARK_FIELD, [group, leaf]):
                page.locator("[data-test-field]").fill(value)
                return
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(150)
    raise AssertionError(f"no field {leaf!r} in {group!r}")


def site_files(root: Path) -> dict[str, Any]:
    """The repository as the form sees it: the site files, and enough of .git to be one."""
    files: dict[str, Any] = {f"sites/{path.name}": path.read_text(encoding="utf-8")
                             for path in (root / "sites").glob("*.yaml")}
    files[".git/HEAD"] = "ref: refs/heads/main\n"  # Sveltia opens only a folder that is a git repository
    return files


def press(page: Any, button: str) -> None:
    """Click a button further down the form, drawing the fields above it as a volunteer scrolling would."""
    for _ in range(40):
        found = page.get_by_role("button", name=button)
        if found.count():
            found.first.click()
            return
        page.evaluate("Array.from(document.querySelectorAll('input, textarea, [contenteditable=true]')).at(-1)"
                      "?.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(150)
    raise AssertionError(f"no button {button!r}")


# A real communal house of Vân Đồn; the position is rounded, as a volunteer would read it off a map.
NEW_SITE = {"category": "đình (communal-house)", "area": "Vân Đồn", "name": "Đình Quan Lạn",
            "summary": "Ngôi đình cổ trên đảo Quan Lạn.", "body": "Đình thờ Thành hoàng làng.",
            "lat": "20.88", "lon": "107.49", "alt": "Mái đình lợp ngói âm dương",
            "source": "Khảo sát của Đoàn Thanh niên, 2026"}


def add_site(page: Any, photo: Path, shot: Callable[[str], None] = lambda step: None) -> None:
    """Fill in NEW_SITE with `photo` from the list of sites, up to (not including) saving; `shot(step)` is called
    where the handbook shows the form."""
    page.get_by_role("button", name="Tạo bài viết mới").click()
    page.get_by_label("Loại di tích").first.click()
    page.get_by_role("option", name=NEW_SITE["category"]).click()
    fill(page, "Thị xã, thành phố", "Tiếng Việt (vi)", NEW_SITE["area"])
    fill(page, "Tên di tích", "Tiếng Việt (vi)", NEW_SITE["name"])
    fill(page, "Giới thiệu ngắn", "Tiếng Việt (vi)", NEW_SITE["summary"])
    fill(page, "Bài giới thiệu", "Tiếng Việt (vi)", NEW_SITE["body"])
    fill(page, "Vị trí", "Vĩ độ (lat)", NEW_SITE["lat"])
    fill(page, "Vị trí", "Kinh độ (lon)", NEW_SITE["lon"])
    page.evaluate(SHOW_GROUP, "Vị trí")
    shot("location")
    press(page, "Thêm ⁨Ảnh⁩")
    page.get_by_role("button", name="Duyệt tệp").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Tải lên").click()
    chooser.value.set_files(photo)
    page.get_by_role("button", name="Chèn").wait_for()
    shot("photo")
    page.get_by_role("button", name="Chèn").click()
    fill(page, "Mô tả ảnh cho người không nhìn thấy", "Tiếng Việt (vi)", NEW_SITE["alt"])
    press(page, "Thêm ⁨Nguồn tư liệu⁩")
    fill(page, "Nguồn tư liệu", "Nguồn tư liệu", NEW_SITE["source"])
