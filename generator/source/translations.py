"""Translation report: what each site lacks in each language, and which translations are out of date.

"Out of date" needs no bookkeeping from volunteers: `translations.lock` (written by the tool, committed
with the sites) remembers, for each translated text, a fingerprint of the Vietnamese text it was
translated from. When the Vietnamese text changes and the translation does not, the translation is
out of date; when the translation is edited, it is taken to match the current Vietnamese text.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

from ..messages import mark, say
from .load import Guide
from .model import Site

LOCK_FILE = "translations.lock"


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _texts(site: Site) -> dict[str, dict[str, str]]:
    """Translatable texts of a site: field key → {language: text}."""
    texts = {"name": site.name, "summary": site.summary, "body": site.body}
    for index, image in enumerate(site.images):
        texts[f"images[{index}].alt"] = image.alt
    for index, scene in enumerate(site.panoramas):
        texts[f"panoramas[{index}].title"] = scene.title
    return texts


@dataclass(frozen=True)
class Cell:
    missing: tuple[str, ...]
    outdated: tuple[str, ...]

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append(say("missing: {fields}", fields=", ".join(self.missing)))
        if self.outdated:
            parts.append(say("out of date: {fields}", fields=", ".join(self.outdated)))
        return "; ".join(parts) or say("complete")


Row = tuple[str, dict[str, Cell]]  # (site slug, language → cell)


@dataclass(frozen=True)
class Report:
    """Sites by the organisation that looks after them, so each union sees its own work first."""

    languages: tuple[str, ...]
    groups: tuple[tuple[str, tuple[Row, ...]], ...]  # (organisation's name, its sites' rows)

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for _organisation, rows in self.groups for row in rows)

    def table(self) -> str:
        width = max([len(slug) for slug, _cells in self.rows] + [4])
        lines = [say("site").ljust(width) + " | " + " | ".join(self.languages)]
        for organisation, rows in self.groups:
            lines.append("\n" + say("{organisation} (sites: {count})", organisation=organisation, count=len(rows)))
            lines += [slug.ljust(width) + " | " + " | ".join(f"{lang}: {cells[lang].describe()}" for lang in self.languages)
                      for slug, cells in rows]
        return "\n".join(lines)

    def html(self) -> str:
        head = "".join(f"<th>{html.escape(lang)}</th>" for lang in self.languages)
        sections = "".join(
            f"<h2>{html.escape(organisation)}</h2><table><tr><th></th>{head}</tr>" + "".join(
                f"<tr><th>{html.escape(slug)}</th>" + "".join(
                    f'<td class="{"ok" if not (c.missing or c.outdated) else "todo"}">{html.escape(c.describe())}</td>'
                    for c in (cells[lang] for lang in self.languages)
                ) + "</tr>"
                for slug, cells in rows
            ) + "</table>"
            for organisation, rows in self.groups
        )
        return (
            '<!doctype html><meta charset="utf-8"><title>' + html.escape(say("Translation report")) + "</title>"
            "<style>body{font-family:system-ui,sans-serif}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}"
            "table{border-collapse:collapse}.ok{background:#e8f5e9}.todo{background:#fff3e0}</style>"
            f"<h1>{html.escape(say('Translation report'))}</h1>{sections}\n"
        )


def read_lock(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def report(guide: Guide, lock: dict[str, dict[str, dict[str, str]]]) -> tuple[Report, dict]:
    """The report, and the updated lock (fingerprints of the Vietnamese source of each translation)."""
    default = guide.default_language
    languages = tuple(guide.languages)
    new_lock: dict[str, dict[str, dict[str, str]]] = {}
    groups: dict[str | None, list[Row]] = {}
    for site in sorted(guide.sites, key=lambda s: s.slug):
        known = lock.get(site.id, {})
        entries: dict[str, dict[str, str]] = {}
        cells = {}
        for lang in languages:
            missing, outdated = [], []
            for field, texts in _texts(site).items() if lang != default else ():
                if lang not in texts:
                    missing.append(field)
                    continue
                key = f"{field}.{lang}"
                source, text = _fingerprint(texts[default]), _fingerprint(texts[lang])
                before = known.get(key)
                if before and before["text"] == text and before["source"] != source:
                    outdated.append(field)
                    entries[key] = before  # still translated from the older Vietnamese text
                else:
                    entries[key] = {"source": source, "text": text}
            if lang not in site.audio:
                missing.append("audio")
            if site.video and lang not in site.video.subtitles:
                missing.append("video.subtitles")
            cells[lang] = Cell(tuple(missing), tuple(outdated))
        new_lock[site.id] = entries
        groups.setdefault(guide.organisation_of(site), []).append((site.slug, cells))
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or ""))  # the publisher's sites last
    return Report(languages, tuple((guide.organisation_name(organisation, default), tuple(rows))
                                   for organisation, rows in ordered)), new_lock


def update(guide: Guide) -> tuple[Report, bool]:
    """Compute the report and keep translations.lock current (rewritten only when it changes: then True)."""
    path = guide.project.root / LOCK_FILE
    found, new_lock = report(guide, read_lock(path))
    text = json.dumps(new_lock, indent=1, sort_keys=True) + "\n"
    changed = not path.exists() or path.read_text(encoding="utf-8") != text
    if changed:
        path.write_text(text, encoding="utf-8")
    return found, changed


LOCK_NOTE = mark("translations.lock was updated: the tool keeps it to tell which translations are out of date. Keep it "
                 "with your change (send it along with the site files); never edit it by hand.")
