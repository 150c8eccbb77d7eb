"""Volunteers' Markdown → HTML that cannot run scripts, load third-party content or break the page.

Raw HTML is shown as text, links may only use safe schemes, and images must come from `images:`
(they go through the image pipeline and have alt text in every language).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .messages import current_language, say

SAFE_SCHEMES = ("http", "https", "mailto", "tel")


def normalise(href: str) -> str:
    """The address a browser would follow: character references decoded, control characters and
    whitespace (which browsers skip inside a scheme, e.g. 'jav\tascript:') removed."""
    return re.sub(r"[\x00-\x20\x7f]", "", html.unescape(href))


def link_problem(href: str) -> str | None:
    """Why a link target is unsafe, or None when it is fine."""
    target = normalise(href)
    parts = urlsplit(target)
    if (parts.scheme and parts.scheme.lower() not in SAFE_SCHEMES) or "\\" in target:
        return say("the link {href!r} is not allowed; use an address starting with https://", href=href)
    if not parts.scheme and (parts.netloc or target.startswith("//")):
        return say("the link {href!r} is incomplete; write it in full, starting with https://", href=href)
    return None


class _Sanitise(Treeprocessor):
    def __init__(self, md: markdown.Markdown, found: list[str]) -> None:
        super().__init__(md)
        self.found = found

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for child in list(parent):
                if child.tag == "img":
                    self.found.append(say(
                        "pictures inside the text are not allowed ({src!r}); list them under 'images:' instead",
                        src=child.get("src"),
                    ))
                    parent.remove(child)
                elif child.tag == "a":
                    problem = link_problem(child.get("href", ""))
                    if problem:
                        self.found.append(problem)
                        del child.attrib["href"]
                    else:
                        child.set("href", normalise(child.get("href", "")))
                        if urlsplit(child.get("href", "")).scheme in ("http", "https"):
                            child.set("rel", "noopener nofollow")
                elif child.tag in ("h1", "h2", "h3", "h4", "h5"):
                    # The page title is the only <h1>; the text's headings sit one level below.
                    child.tag = f"h{min(int(child.tag[1]) + 1, 6)}" if child.tag == "h1" else child.tag


class _SafeExtension(Extension):
    def __init__(self, found: list[str]) -> None:
        super().__init__()
        self.found = found

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Sanitise(md, self.found), "guide_sanitise", 0)


def render(text: str) -> tuple[str, tuple[str, ...]]:
    """HTML for `text`, and the problems found (already neutralised in the HTML). Validation and
    every language's page ask for the same texts, so each is converted once per message language."""
    return _render(text, current_language())


@lru_cache(maxsize=4096)
def _render(text: str, _message_language: str) -> tuple[str, tuple[str, ...]]:
    found: list[str] = []
    html = markdown.markdown(text, extensions=[_SafeExtension(found), "sane_lists"])
    return html, tuple(found)
