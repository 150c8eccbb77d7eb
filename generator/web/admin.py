"""The form editor at /admin/ (Sveltia CMS, pinned in package-lock.json), served by the site itself.

Sveltia's npm package is a prebuilt bundle that fetches its fonts, its interface translations, a version check
and GitHub's status from CDNs at run time. Its package holds no source to build again, so the bundle is
published with those addresses pointed at files installed from npm beside it (the fonts from Fontsource's
packages, the translations from Sveltia's own), and GitHub's status at a file that says nothing is wrong: the
admin page makes no request to another host but the git host an editor signs in to.

The form is generated from the site model, as the JSON Schema is: a field added to the model appears in it.
Only editors load it: no visitor page links to it, it is not in the sitemap, it says noindex, and the service
worker leaves it alone.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..i18n import language_name
from ..media.reading import MB
from ..media.video import MAX_SUBTITLE_BYTES, MAX_VIDEO_BYTES
from ..messages import mark
from ..source.model import (
    AUDIO_SUFFIXES,
    CATEGORY_NAMES_VI,
    IMAGE_SUFFIXES,
    MAX_AUDIO_BYTES,
    MAX_IMAGE_BYTES,
    MAX_SLUG_LENGTH,
    MEDIA_MARK,
    SUBTITLE_SUFFIXES,
    VIDEO_SUFFIXES,
    Settings,
)
from ..source.schema import site_schema
from .maps import SERVICES
from .npm import installed

FOLDER = "admin"
PACKAGE = "@sveltia/cms"
EDITOR = mark("the form editor")  # what a missing file stops
# CDN address in the bundle → where the same file is published under /admin/ (and where npm installed it).
FONTS = {
    "https://cdn.jsdelivr.net/fontsource/fonts/material-symbols-outlined:vf@5.3.7/latin-wght-normal.woff2":
        "@fontsource-variable/material-symbols-outlined/files/material-symbols-outlined-latin-wght-normal.woff2",
    "https://cdn.jsdelivr.net/fontsource/fonts/source-sans-3:vf@5.3.0/latin-wght-normal.woff2":
        "@fontsource-variable/source-sans-3/files/source-sans-3-latin-wght-normal.woff2",
    "https://cdn.jsdelivr.net/fontsource/fonts/noto-mono@5.3.0/latin-400-normal.woff2":
        "@fontsource/noto-mono/files/noto-mono-latin-400-normal.woff2",
}
STATUS = "https://www.githubstatus.com/api/v2/status.json"
CDN = "https://unpkg.com/"
VENDOR = "vendor/"  # under /admin/: what the bundle would have fetched from unpkg
LOCALES = ("vi", "en-US")
OURS = Path(__file__).parents[1] / "static" / "admin"
ADDITIONS = ("admin.js", "fit.css")  # ours, beside Sveltia: the map link and the frame guard, a fix to the phone layout


@cache
def bundle() -> tuple[str, str]:
    """(site path, text) of Sveltia's bundle with every CDN address pointed at the files published beside it."""
    text = installed(f"{PACKAGE}/dist/sveltia-cms.js", EDITOR).read_text(encoding="utf-8")
    for address, path in FONTS.items():
        text = text.replace(address, "fonts/" + Path(path).name)
    text = text.replace(STATUS, VENDOR + "githubstatus.json").replace(CDN, VENDOR)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{FOLDER}/sveltia-cms.{digest}.min.js", text


def installed_files() -> dict[str, Path]:
    """The fonts, and Sveltia's package.json (its version check) and translations, by site path."""
    package = installed(f"{PACKAGE}/package.json", EDITOR)
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    files = {f"{FOLDER}/fonts/{Path(path).name}": installed(path, EDITOR) for path in FONTS.values()}
    files[f"{FOLDER}/{VENDOR}{PACKAGE}/package.json"] = package
    for locale in LOCALES:
        files[f"{FOLDER}/{VENDOR}{PACKAGE}@{version}/locales/{locale}.json"] = installed(
            f"{PACKAGE}/locales/{locale}.json", EDITOR)
    return files


# Scripts and fonts from this site only; the one other host is GitHub's API, where an editor's changes go.
# Svelte sets styles inline; the form reads the files being uploaded through blob: and data: addresses, and
# tries an iPhone's HEIC photo in a worker it makes from a blob: (Chromium cannot draw it: the form shows a file
# icon, the guide converts the photo).
POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data: https://avatars.githubusercontent.com",
    "media-src 'self' blob:",
    "connect-src 'self' blob: data: https://api.github.com",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
))
PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<link rel="stylesheet" href="fit.css">
</head>
<body>
<script src="admin.js" data-map="{map}"></script>
<script src="{script}"></script>
</body>
</html>
"""


def written_files(title: str, settings: Settings, repository: str, free_id: str) -> dict[str, str]:
    """What /admin/ is made of besides the files npm installed: its page, its form, the bundle, and GitHub's status."""
    script, text = bundle()
    return {
        f"{FOLDER}/index.html": PAGE.format(policy=POLICY, title=html.escape(title), map=html.escape(MAP_LINK),
                                            script=script.removeprefix(f"{FOLDER}/")),
        **{f"{FOLDER}/{name}": (OURS / name).read_text(encoding="utf-8") for name in ADDITIONS},
        f"{FOLDER}/config.yml": config(settings, repository, free_id),
        script: text,
        # Sveltia warns of a GitHub outage from this; a guide never asks a third party whether GitHub is up.
        f"{FOLDER}/{VENDOR}githubstatus.json": json.dumps({"status": {"indicator": "none"}}),
    }


# --- the form, from the model's JSON Schema ----------------------------------------------------------------

CATEGORY_OPTIONS = [{"label": f"{' / '.join(vi for vi, key in CATEGORY_NAMES_VI.items() if key == category)} ({category})",
                     "value": category} for category in dict.fromkeys(CATEGORY_NAMES_VI.values())]
LONG_TEXT = 300  # characters: a per-language text allowed more than this gets a text area
# Each field's label in the form: the volunteer's words. A field the model gains without one fails the tests.
LABELS = {
    "id": "Mã biển QR", "slug": "Địa chỉ trang (để trống: lấy từ tên di tích)", "category": "Loại di tích",
    "area": "Thị xã, thành phố", "organisation": "Tổ chức phụ trách", "name": "Tên di tích",
    "summary": "Giới thiệu ngắn (một hai câu)", "body": "Bài giới thiệu", "location": "Vị trí", "lat": "Vĩ độ (lat)",
    "lon": "Kinh độ (lon)", "approximate": "Toạ độ ước tính, chưa đo", "address": "Địa chỉ", "status": "Tình trạng",
    "status_note": "Lý do đóng cửa, trùng tu", "practical": "Thông tin tham quan", "hours": "Giờ mở cửa",
    "fee": "Giá vé", "festival": "Lễ hội", "festival_lunar": "Ngày lễ chính (âm lịch)", "month": "Tháng",
    "day": "Ngày", "contact": "Điện thoại, email người trông coi", "images": "Ảnh", "file": "Tệp",
    "alt": "Mô tả ảnh cho người không nhìn thấy", "caption": "Chú thích", "credit": "Người chụp, người vẽ",
    "illustration": "Là hình minh hoạ, không phải ảnh chụp", "audio": "Thuyết minh (mp3) theo ngôn ngữ",
    "audio_reads_text": "Thuyết minh đọc nguyên văn bài", "video": "Video giới thiệu", "title": "Tiêu đề",
    "subtitles": "Phụ đề theo ngôn ngữ", "poster": "Ảnh bìa", "panoramas": "Tham quan 360°",
    "hotspots": "Lối sang cảnh khác", "to": "Tới cảnh (mã cảnh)", "label": "Nhãn", "yaw": "Góc ngang (độ)",
    "pitch": "Góc đứng (độ)", "links": "Liên kết", "url": "Địa chỉ web (https://)", "kind": "Loại liên kết",
    "sources": "Nguồn tư liệu", "uncertain": "Điều chưa chắc chắn",
}
# A label or hint for a field inside another is looked up as "parent.name" first (_for): a tour's scene id is no
# plaque id.
LABELS |= {"panoramas.id": "Mã cảnh", "hotspots.label": "Nhãn trên mũi tên"}
SCENE_HINT = "chữ thường a-z không dấu, số, và '-', ví dụ san-dinh"
PATTERN_HINTS = {
    "id": "2-12 chữ in hoa A-Z và số 0-9, ví dụ KL1368; không bao giờ đổi sau khi biển đã in",
    "slug": "chữ thường a-z không dấu, số, và '-' giữa các từ, ví dụ dinh-yen-giang",
    "to": SCENE_HINT,
    "panoramas.id": SCENE_HINT,
}
# The Vietnamese words for the model's fixed choices (the file keeps the English key).
OPTION_LABELS = {
    "status": {"open": "mở cửa", "closed": "đóng cửa", "restoration": "đang trùng tu"},
    "kind": {"video": "video", "vr360": "tham quan 360°", "official": "trang chính thức",
             "article": "bài báo", "other": "khác"},
}
# The point on a map, from the two numbers typed: admin.js fills them into the hint's link when it is followed.
MAP_LINK = SERVICES["osm"][1]("{lat}", "{lon}", "")
LOCATION_HINT = ("Lấy toạ độ: trên Google Maps bấm giữ vào điểm di tích, chép hai số (vĩ độ, kinh độ). "
                 f"[Xem điểm đã nhập trên bản đồ]({MAP_LINK.split('?')[0]})")
# The article's formatting: what the page renders (its title is the h1; no pictures inside the text, they go under
# "Ảnh"), in a toolbar narrow enough for a 412 px phone.
MARKDOWN = {"buttons": ["bold", "italic", "link", "heading-two", "heading-three", "bulleted-list", "numbered-list",
                        "quote"], "editor_components": []}
# Files a volunteer uploads: what the build accepts, and its size limit (the build checks both again).
MEDIA = {
    "image": (IMAGE_SUFFIXES, MAX_IMAGE_BYTES),
    "audio": (AUDIO_SUFFIXES, MAX_AUDIO_BYTES),
    "video": (VIDEO_SUFFIXES, MAX_VIDEO_BYTES),
    "subtitles": (SUBTITLE_SUFFIXES, MAX_SUBTITLE_BYTES),
}


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(the schema node itself, whether it may be left out): `$ref`s followed, `anyOf [X, null]` unwrapped."""
    optional = False
    while True:
        if "$ref" in node:
            node = {**definitions[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        elif "anyOf" in node:
            choices = [choice for choice in node["anyOf"] if choice != {"type": "null"}]
            optional = optional or len(choices) < len(node["anyOf"])
            (node,) = choices
        else:
            return node, optional


def _for(table: dict[str, str], parent: str, name: str) -> str:
    """The entry for the field `name` inside `parent`: its own ("panoramas.id") if it has one, else the name's."""
    return table.get(f"{parent}.{name}") or table[name]


@dataclass(frozen=True)
class Form:
    """Sveltia fields from the site's JSON Schema (the model's, with the guide's languages)."""

    languages: tuple[str, ...]
    default: str
    organisations: dict[str, str]  # key → the name shown
    definitions: dict[str, Any]
    free_id: str  # a plaque id no site has and the registry never issued, when the guide was built

    def fields(self, node: dict[str, Any], parent: str = "") -> list[dict[str, Any]]:
        """Every property of an object node, in the model's order."""
        required = set(node.get("required", []))
        return [self.field(name, value, name in required, parent) for name, value in node["properties"].items()]

    def field(self, name: str, node: dict[str, Any], required: bool, parent: str = "") -> dict[str, Any]:
        node, optional = _resolve(node, self.definitions)
        plain: dict[str, Any] = {"name": name, "label": _for(LABELS, parent, name),
                                 "required": required and not optional}
        if "propertyNames" in node:  # a text per language
            return plain | self.per_language(node["additionalProperties"], markdown=name == "body")
        if node.get("type") == "object" and "properties" not in node:  # a file per language
            return plain | self.per_language(node["additionalProperties"], any_language=True)
        if name == "id" and self.free_id:
            plain["default"] = self.free_id
        if name == "category":
            return plain | {"widget": "select", "options": CATEGORY_OPTIONS}
        if name == "organisation":
            return plain | {"widget": "select", "options": [{"label": label, "value": value}
                                                            for value, label in self.organisations.items()]}
        if "enum" in node:
            names = OPTION_LABELS[name]
            return plain | {"widget": "select", "options": [{"label": names[value], "value": value}
                                                            for value in node["enum"]]}
        kind = node.get("type")
        if kind == "object":
            hint = {"hint": LOCATION_HINT} if name == "location" else {}
            return plain | {"widget": "object", "fields": self.fields(node, name)} | hint
        if kind == "array":
            item, _ = _resolve(node["items"], self.definitions)
            limits = {"max": node["maxItems"]} if "maxItems" in node else {}
            if "properties" in item:
                return plain | {"widget": "list", "fields": self.fields(item, name)} | limits
            return plain | {"widget": "list", "field": self.field(name, item, True)} | limits
        if kind == "boolean":
            return plain | {"widget": "boolean", "required": False}
        if kind in ("number", "integer"):
            bounds = {option: node[key] for option, key in (("min", "minimum"), ("max", "maximum")) if key in node}
            return plain | {"widget": "number", "value_type": "float" if kind == "number" else "int"} | bounds
        return plain | self.text(name, node, parent=parent)

    def text(self, name: str, node: dict[str, Any], markdown: bool = False, parent: str = "") -> dict[str, Any]:
        """A string: an upload when it names a file in media/, else a line or a text area, within the model's limits."""
        if MEDIA_MARK in node:
            suffixes, limit = MEDIA[node[MEDIA_MARK]]
            return {"widget": "image" if node[MEDIA_MARK] == "image" else "file",
                    "accept": ",".join(suffixes), "media_library": {"config": {"max_file_size": limit}},
                    "hint": f"{', '.join(suffixes)}; tối đa {limit // MB} MB"}
        if markdown:  # Sveltia's Markdown field has no length limit of its own: a pattern enforces the model's
            limit = node["maxLength"]
            return {"widget": "markdown", "hint": f"Tối đa {limit} ký tự. Ảnh đặt ở mục \"Ảnh\", không chèn vào bài.",
                    "pattern": [f"^[\\s\\S]{{0,{limit}}}$", f"dài quá: tối đa {limit} ký tự"]} | MARKDOWN
        widget = "text" if node.get("maxLength", 0) > LONG_TEXT else "string"
        limits = {option: node[key] for option, key in (("minlength", "minLength"), ("maxlength", "maxLength"))
                  if key in node}
        pattern = {"pattern": [node["pattern"], _for(PATTERN_HINTS, parent, name)]} if "pattern" in node else {}
        return {"widget": widget} | limits | pattern

    def per_language(self, item: dict[str, Any], markdown: bool = False, any_language: bool = False) -> dict[str, Any]:
        """A group with one field per language; the default language's required unless any language may be left out."""
        return {"widget": "object", "collapsed": False, "fields": [
            {"name": language, "label": f"{language_name(language)} ({language})",
             "required": language == self.default and not any_language} | self.text(language, item, markdown)
            for language in self.languages]}


def config(settings: Settings, repository: str = "OWNER/REPOSITORY", free_id: str = "") -> str:
    """Sveltia's config.yml: the site files as one folder collection; uploads go into media/<file name>/.

    A new site's file is named from its Vietnamese name (tones removed), and the file's name is its page
    address; its plaque id is filled in with one free when the guide was last built (the publishing workflow
    registers it on main)."""
    languages, default = list(settings.languages), settings.default_language
    schema = site_schema(languages, default)
    organisations = {key: organisation.short for key, organisation in settings.organisations.items()}
    form = Form(tuple(languages), default, organisations, schema["$defs"], free_id)
    document: dict[str, Any] = {
        "backend": {"name": "github", "repo": repository, "branch": "main"},
        "publish_mode": "editorial_workflow",
        "media_folder": "media",
        "slug": {"encoding": "ascii", "clean_accents": True, "maxlength": MAX_SLUG_LENGTH},
        "output": {"omit_empty_optional_fields": True},
        "collections": [{
            "name": "sites",
            "label": "Di tích",
            "label_singular": "di tích",
            "folder": "sites",
            "extension": "yaml",
            "format": "yaml",
            "create": True,
            "identifier_field": f"name.{default}",
            "summary": f"{{{{fields.name.{default}}}}}",
            "slug": f"{{{{fields.name.{default}}}}}",
            "media_folder": "/media/{{slug}}",
            "public_folder": "{{slug}}",
            "fields": form.fields(schema),
        }],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
