"""MkDocs hooks of the guide's page builds (loaded by MkDocs from `hooks:`, not imported by the guide).

They spare the guide's finished HTML a second Markdown pass and keep Material's compiled templates
between builds (together half of what MkDocs spent on a guide page), make Material's page valid HTML and
give it its Content-Security-Policy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import FileSystemBytecodeCache
from mkdocs.plugins import event_priority

from generator.cache import cache_root
from generator.web.csp import with_policy

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


TOGGLE_AUTOCOMPLETE = re.compile(r'(<input class="md-toggle"[^>]*?) autocomplete="off"')


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Every page gets its Content-Security-Policy (generator/web/csp.py). Material's hidden checkbox
    toggles lose `autocomplete`, which HTML allows only on text-like inputs (the Nu checker's only
    errors on a guide page); without it nothing changes for a visitor."""
    return with_policy(TOGGLE_AUTOCOMPLETE.sub(r"\1", output))


def on_post_template(output: str, template_name: str, config: Any) -> str:
    return on_post_page(output, None, config) if template_name.endswith(".html") else output  # 404, not the sitemap


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Keep Material's compiled templates between builds (a third of a one-page build compiled them);
    Jinja checks each template's source before using its cached code."""
    folder = cache_root(Path(config.site_dir).parents[2]) / "templates"  # site_dir: <project>/.build/<lang>/site
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env
