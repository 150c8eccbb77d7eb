"""Content-Security-Policy for every page, as a `<meta>` in the page itself: a static host (GitHub
Pages, a ward's shared hosting) sends no headers the guide controls, and a meta cannot be forgotten.

Scripts and styles come only from the site itself; the few inline ones (Material's start-up lines,
the plaque address's language choice) are allowed by the hash of their exact text, computed from
the finished page, so nothing else inline can run, whatever a volunteer's text might smuggle in.
"""

from __future__ import annotations

import base64
import hashlib
import re

INLINE = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
SOURCE = re.compile(r"\ssrc\s*=", re.IGNORECASE)
TYPE = re.compile(r"""\stype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
RUNS = {"text/javascript", "application/javascript", "module"}  # other types (JSON data) never run
HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)

FIXED = (
    "default-src 'self'",
    "img-src 'self' blob: data:",  # blob: the panorama viewer's pictures, read before they are drawn
    "media-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(html: str) -> str:
    """The page's policy: the fixed rules, plus the hashes of the inline scripts and styles it has."""
    scripts: list[str] = []
    styles: list[str] = []
    for tag, attributes, body in INLINE.findall(html):
        attributes = attributes or ""
        if tag.lower() == "style":
            styles.append(_hash(body))
        elif not SOURCE.search(attributes):
            kind = TYPE.search(attributes)
            if kind is None or kind.group(1).lower() in RUNS:
                scripts.append(_hash(body))
    return "; ".join((*FIXED, " ".join(["script-src 'self'", *dict.fromkeys(scripts)]),
                      " ".join(["style-src 'self'", *dict.fromkeys(styles)])))


def with_policy(html: str) -> str:
    """`html` with its policy as the first element of its head (a policy covers only what follows it)."""
    head = HEAD.search(html)
    if head is None:
        raise ValueError("a page without <head> cannot carry its Content-Security-Policy")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return html[:head.end()] + meta + html[head.end():]
