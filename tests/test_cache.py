"""The cache keys: whatever shapes an output is part of its key, so a stale result cannot be served."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from generator import cache


@pytest.mark.parametrize("changed", ["templates/site.html", "locales/zh/LC_MESSAGES/messages.po", "theme/main.html",
                                     "pages.py", "static/sw.js"])
def test_the_generator_fingerprint_changes_with_any_template_catalog_or_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changed: str) -> None:
    copy = tmp_path / "generator"
    shutil.copytree(cache.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    before = cache.generator_fingerprint.__wrapped__()
    with (copy / changed).open("a", encoding="utf-8") as file:
        file.write("\n")
    assert cache.generator_fingerprint.__wrapped__() != before


def test_keys_differ_with_any_part_and_repeat_for_the_same_parts() -> None:
    assert cache.key("page", "vi", {"a": 1}) == cache.key("page", "vi", {"a": 1})
    assert cache.key("page", "vi", {"a": 1}) != cache.key("page", "en", {"a": 1})
    assert cache.key("page", "vi", {"a": 1}) != cache.key("page", "vi", {"a": 2})


def test_a_file_changed_in_place_gets_a_new_digest(tmp_path: Path) -> None:
    """Size, time and inode can all stay the same when a file is rewritten quickly; a digest recorded
    that soon is not trusted."""
    store = cache.Store(tmp_path / "cache")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"A" * 100)
    digests = cache.FileDigests(store)
    first = digests.of(photo)
    digests.save()
    stat = photo.stat()
    photo.write_bytes(b"B" * 100)  # same size, same inode
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time
    assert cache.FileDigests(store).of(photo) != first


def test_an_old_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    """Trusted by its size, time and inode: rewritten behind the stat's back, it keeps its recorded digest
    (so the build reads none of a province's photos when nothing changed)."""
    store = cache.Store(tmp_path / "cache")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"A" * 100)
    old = time.time() - 60
    os.utime(photo, (old, old))
    digests = cache.FileDigests(store)
    first = digests.of(photo)
    digests.save()
    stat = photo.stat()
    photo.write_bytes(b"B" * 100)
    os.utime(photo, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cache.FileDigests(store).of(photo) == first
    assert cache.FileDigests(cache.Store(tmp_path / "elsewhere")).of(photo) != first
