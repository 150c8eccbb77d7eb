"""MkDocs hooks of the guide's page builds (loaded by MkDocs from `hooks:`, not imported by the guide).

An incremental build renders only the pages whose inputs changed, so Material's search plugin sees
only those. These hooks keep every page's search entries between builds and give the plugin the
whole index, in the order a full build would: an incremental build writes the same bytes. They also
keep Material's compiled templates, and spare the guide's finished HTML a second Markdown pass.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from mkdocs.plugins import event_priority

from generator.cache import cache_root

ENTRIES_FILE = "search-entries.pickle"  # next to the language's site folder; read and written on every build

_built: set[str] = set()
_files: list[Any] = []


def entries_file(site_dir: str) -> Path:
    return Path(site_dir).parent / ENTRIES_FILE


def on_pre_build(config: Any) -> None:
    _built.clear()
    _files.clear()


@event_priority(-100)  # after every plugin has added or removed files
def on_files(files: Any, config: Any) -> Any:
    _files[:] = [files]
    return files


_html: dict[str, str] = {}


@event_priority(100)  # before anything else reads the page
def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """The guide's documents are finished HTML (volunteer Markdown is rendered and made safe before
    MkDocs sees it): keep it aside so Markdown does not parse it again (a third of MkDocs' time)."""
    _html[page.file.src_uri] = markdown
    return ""


@event_priority(100)
def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return _html.pop(page.file.src_uri).strip()  # as Markdown returns a raw HTML block


@event_priority(-100)  # after the search plugin indexed the page
def on_page_context(context: Any, page: Any, config: Any, nav: Any) -> Any:
    _built.add(page.url)
    return context


@event_priority(100)  # before the search plugin writes its index
def on_post_build(config: Any) -> None:
    search = next((plugin for plugin in config.plugins.values() if hasattr(plugin, "search_index")), None)
    if search is None:
        return
    path = entries_file(config.site_dir)
    kept: dict[str, list[dict[str, Any]]] = pickle.loads(path.read_bytes()) if path.is_file() else {}
    fresh: dict[str, list[dict[str, Any]]] = {}
    for entry in search.search_index.entries:
        fresh.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
    pages = [file.page.url for file in _files[0].documentation_pages()]
    missing = [url for url in pages if url not in _built and url not in kept]
    if missing:
        raise RuntimeError(f"search entries of {len(missing)} unchanged pages are missing; build again from clean")
    merged = {url: fresh.get(url, []) if url in _built else kept[url] for url in pages}
    search.search_index.entries = [entry for entries in merged.values() for entry in entries]
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temporary, path)


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Keep Material's compiled templates between builds (a third of a one-page build compiled them);
    Jinja checks each template's source before using its cached code."""
    folder = cache_root(Path(config.site_dir).parents[2]) / "templates"  # site_dir: <project>/.build/<lang>/site
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env
