"""The site file, declared once as typed models: validation, defaults and the JSON Schema all come from here.

Field rules that need project settings (configured languages, the media folder) read them from the
pydantic validation context, so the models stay plain declarations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from .. import safe_markdown
from ..i18n import without_marks
from ..messages import did_you_mean, mark, say

CATEGORIES = (
    "temple",
    "communal-house",
    "shrine",
    "pagoda",
    "border-marker",
    "memorial",
    "battlefield",
    "church",
    "museum",
    "tomb",
    "landscape",
    "other",
)
# Each category by the names volunteers think in: the Vietnamese word is as good as the English key.
CATEGORY_NAMES_VI = {
    "đền": "temple",
    "đình": "communal-house",
    "miếu": "shrine",
    "chùa": "pagoda",
    "cột mốc": "border-marker",
    "đài tưởng niệm": "memorial",
    "tượng đài": "memorial",
    "chiến trường": "battlefield",
    "nhà thờ": "church",
    "bảo tàng": "museum",
    "lăng": "tomb",
    "lăng mộ": "tomb",
    "mộ": "tomb",
    "danh thắng": "landscape",
    "khác": "other",
}
STATUSES = ("open", "closed", "restoration")
LINK_KINDS = ("video", "vr360", "official", "article", "other")
# suffix → the one decoder allowed (HEIC/HEIF: what iPhones save)
IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".heic": "HEIF", ".heif": "HEIF"}
IMAGE_SUFFIXES = tuple(IMAGE_FORMATS)
AUDIO_SUFFIXES = (".mp3", ".m4a", ".ogg")
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v")  # as phones and video editors save them
SUBTITLE_SUFFIXES = (".vtt", ".srt")
# Names a slug may not take: folders and files of a language's site (assets, search, 404...), and
# names kept free for future guide-level folders.
RESERVED_SLUGS = ("assets", "search", "pagefind", "area", "q", "media", "offline", "sitemap", "index", "404")

LOCAL_TEXT_MARK = "x-local-text"  # replaced in the JSON Schema by the configured languages
ID_PATTERN = re.compile(r"[A-Z0-9]{2,12}")
ORGANISATION_KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_SLUG_LENGTH = 80


# Limits: every input is bounded, so a mistake (or a hostile file) is refused at once, with a message
# that names the limit, instead of slowing or stopping every build. README "Limits" lists them.
MAX_SITE_FILE_BYTES = 1024 * 1024
MAX_NESTING = 20  # levels of fields in fields; a site file needs five
MAX_TEXT = {  # characters, per language
    "name": 200,
    "area": 100,
    "summary": 600,
    "body": 50_000,
    "address": 300,
    "status_note": 1_000,
    "practical": 500,  # hours, fee, festival
    "contact": 200,
    "alt": 500,
    "caption": 500,
    "credit": 300,
    "label": 200,
    "url": 2_000,
    "source": 1_000,
    "uncertain": 1_000,
    "media": 255,  # a path inside media/
}
MAX_ENTRIES = {"images": 50, "links": 50, "sources": 100, "uncertain": 50, "panoramas": 12, "hotspots": 12}
MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # 8,660 × 5,773; a page shows at most 1,200 px wide
MAX_AUDIO_BYTES = 50 * 1024 * 1024
MAX_AUDIO_SECONDS = 30 * 60


@dataclass(frozen=True)
class Context:
    """What field rules need to know about the project."""

    languages: tuple[str, ...]
    default_language: str
    media_root: Path
    organisations: tuple[str, ...] = ()  # keys of the organisations in mkdocs.yml


def _context(info: ValidationInfo) -> Context:
    return info.context["guide"]


def check_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(say(
            "{value!r} is not a valid plaque id; use 2 to 12 capital letters A-Z and digits 0-9, "
            "no spaces or accents (for example KL1368)", value=value,
        ))
    return value


def check_slug(value: str) -> str:
    if len(value) > MAX_SLUG_LENGTH:  # it names a folder and a file: file systems refuse long names
        raise ValueError(say("the page address has {length} characters; use at most {limit} (a few words of the name)",
                             length=len(value), limit=MAX_SLUG_LENGTH))
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(say(
            "{value!r} is not a valid page address; use lowercase a-z, digits and single '-' "
            "between words, without accents (for example den-xa-tac)", value=value,
        ))
    if value in RESERVED_SLUGS:
        raise ValueError(say("{value!r} is reserved for the site itself; choose another address", value=value))
    return value


def category_key(value: str) -> str:
    """The category key for an English key or a Vietnamese name; "did you mean" for anything else, compared
    without tones and case (a volunteer typing `dinh` or `Đình` means `đình`)."""
    if value in CATEGORIES:
        return value
    if value in CATEGORY_NAMES_VI:
        return CATEGORY_NAMES_VI[value]
    names = {without_marks(name).casefold(): name for name in (*CATEGORY_NAMES_VI, *CATEGORIES)}
    hint = did_you_mean(without_marks(value).casefold().strip(), names, cutoff=0.7)
    raise ValueError(say("{value!r} is not a category; {hint}use one of: {names}", value=value, hint=hint,
                         names=category_list()))


def category_list() -> str:
    """Every category as the template and messages show it: its Vietnamese names, then its key."""
    return ", ".join(f"{' / '.join(vi for vi, key in CATEGORY_NAMES_VI.items() if key == category)} ({category})"
                     for category in CATEGORIES)


def _category_before(value: Any) -> Any:
    return category_key(value) if isinstance(value, str) else value


def _check_language(value: str, info: ValidationInfo) -> str:
    languages = _context(info).languages
    if value not in languages:
        raise ValueError(say(
            "language {value!r} is not configured; use one of: {languages} (or add it to 'languages' in mkdocs.yml)",
            value=value, languages=", ".join(languages),
        ))
    return value


def _require_default_language(value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
    default = _context(info).default_language
    if default not in value:
        raise ValueError(say("the {default!r} text is missing; every text needs at least {default!r}", default=default))
    return value


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(say("{value!r} is not a web address; only http:// and https:// links are allowed", value=value))
    return value


def _check_source(value: str) -> str:
    """A source is a citation in words, or (when it has no spaces) a link that must be http(s)."""
    return value if any(c.isspace() for c in value.strip()) else _check_http_url(value)


def _no_placeholder(value: str) -> str:
    """`build.py new` leaves TODO texts; a page must never be published with them."""
    if value.lstrip().startswith("TODO"):
        raise ValueError(say("still has the placeholder text from the new-site template; write the real text here"))
    return value


def _check_markdown(value: str) -> str:
    problems = safe_markdown.render(value)[1]
    if problems:
        raise ValueError("; ".join(problems))
    return value


def _media_checker(suffixes: tuple[str, ...], kind: str):
    def check(value: str, info: ValidationInfo) -> str:
        media_root = _context(info).media_root
        # The form editor writes '/den-xa-tac/photo.jpg' (its public folder is always absolute): the same file.
        path = PurePosixPath(value.removeprefix("/"))
        if "\\" in value or path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(say(
                "{value!r} must be a path inside media/, written like 'den-xa-tac/photo.jpg' "
                "(no '..', no backslashes)", value=value,
            ))
        value = path.as_posix()  # one spelling per file: 'den-xa-tac/photo.jpg', whatever './' or '/' it had
        if path.suffix.lower() not in suffixes:
            raise ValueError(say("{value!r} is not {kind}; use a file ending in {suffixes}",
                                 value=value, kind=say(kind), suffixes=", ".join(suffixes)))
        target = (media_root / path).resolve()
        if not target.is_relative_to(media_root.resolve()):
            raise ValueError(say("{value!r} points outside media/; keep files inside media/", value=value))
        try:
            present = target.is_file()
        except OSError as error:  # e.g. a name longer than the file system allows (255 bytes)
            raise ValueError(say("media/{value} cannot be opened ({reason}); give the file a shorter name",
                                 value=value, reason=error.strerror or error)) from None
        if not present:
            raise ValueError(say(
                "media/{value} does not exist; check the spelling (names are case-sensitive) or copy the file there",
                value=value,
            ))
        return value

    return check


def _check_organisation(value: str, info: ValidationInfo) -> str:
    known = _context(info).organisations
    if value not in known:
        raise ValueError(say("{value!r} is not an organisation in mkdocs.yml (extra.guide.organisations); {hint}"
                             "use one of: {known}", value=value, hint=did_you_mean(value, known), known=", ".join(known) or "-"))
    return value


PlaqueId = Annotated[str, AfterValidator(check_id)]
Slug = Annotated[str, AfterValidator(check_slug)]
Language = Annotated[str, AfterValidator(_check_language)]


def text(kind: str) -> Any:
    """A text of at most MAX_TEXT[kind] characters."""
    return Annotated[str, Field(min_length=1, max_length=MAX_TEXT[kind]), AfterValidator(_no_placeholder)]


def local_text(kind: str) -> Any:
    """A text per language, each of at most MAX_TEXT[kind] characters; the default language required."""
    return Annotated[
        dict[Language, text(kind)],
        AfterValidator(_require_default_language),
        Field(description="Text per language code; the default language (vi) is required.",
              json_schema_extra={LOCAL_TEXT_MARK: True}),
    ]


Text = Annotated[str, Field(min_length=1), AfterValidator(_no_placeholder)]  # settings' texts
LocalMarkdown = Annotated[
    dict[Language, Annotated[str, Field(min_length=1, max_length=MAX_TEXT["body"]), AfterValidator(_no_placeholder),
                             AfterValidator(_check_markdown)]],
    AfterValidator(_require_default_language),
    Field(json_schema_extra={LOCAL_TEXT_MARK: True}),
]
MediaPath = Annotated[str, Field(max_length=MAX_TEXT["media"])]
MEDIA_MARK = "x-media"  # the kind of file a path names, for the form editor's upload fields


def media_path(kind: str, suffixes: tuple[str, ...], what: str) -> Any:
    """A path inside media/ to a file of one of `suffixes`; the schema says which kind of file it is."""
    return Annotated[MediaPath, AfterValidator(_media_checker(suffixes, what)),
                     Field(json_schema_extra={MEDIA_MARK: kind})]


ImagePath = media_path("image", IMAGE_SUFFIXES, mark("an image"))
# A logo goes into plaque PDFs as it is: the formats the PDF writer reads (not HEIC).
LogoPath = Annotated[MediaPath, AfterValidator(_media_checker((".png", ".jpg", ".jpeg"), mark("an image")))]
AudioPath = media_path("audio", AUDIO_SUFFIXES, mark("an audio file"))
VideoPath = media_path("video", VIDEO_SUFFIXES, mark("a video"))
SubtitlePath = media_path("subtitles", SUBTITLE_SUFFIXES, mark("a subtitle file"))


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _nothing_is_absent(cls, data: Any) -> Any:
        """An optional field written with nothing after it (`images:` whose examples are still commented out)
        means the same as leaving the line out: the template can show every field without breaking."""
        if not isinstance(data, dict):
            return data
        optional = {name for name, info in cls.model_fields.items() if not info.is_required()}
        return {key: value for key, value in data.items() if value is not None or key not in optional}


# Vietnam, its islands included (Trường Sa reaches 117° E): a point outside is a typing mistake.
VIETNAM_LAT, VIETNAM_LON = (6.0, 24.0), (102.0, 118.0)


def _in_vietnam(lat: float, lon: float) -> bool:
    return VIETNAM_LAT[0] <= lat <= VIETNAM_LAT[1] and VIETNAM_LON[0] <= lon <= VIETNAM_LON[1]


class Location(Strict):
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS84 decimal degrees (Quảng Ninh is about 21).")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS84 decimal degrees (Quảng Ninh is about 107).")
    approximate: bool = Field(False, description="true when the coordinates were not surveyed.")
    address: local_text("address") | None = None

    @model_validator(mode="before")
    @classmethod
    def _in_vietnam(cls, data: Any) -> Any:
        """Swapped numbers, and any point outside Vietnam, named as such (a latitude of 106.8 is a longitude)."""
        lat, lon = (data.get(name) if isinstance(data, dict) else None for name in ("lat", "lon"))
        if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in (lat, lon)):
            return data  # missing or not numbers: the fields' own rules say so
        ranges = {"lat_from": VIETNAM_LAT[0], "lat_to": VIETNAM_LAT[1], "lon_from": VIETNAM_LON[0], "lon_to": VIETNAM_LON[1]}
        if _in_vietnam(lon, lat):
            raise ValueError(say("lat {lat} and lon {lon} look swapped: in Vietnam lat is about {lat_from:g}-{lat_to:g} "
                                 "and lon about {lon_from:g}-{lon_to:g}; swap the two numbers", lat=lat, lon=lon, **ranges))
        if not _in_vietnam(lat, lon) and abs(lat) <= 90 and abs(lon) <= 180:  # beyond those, the fields' own rules speak
            raise ValueError(say("lat {lat}, lon {lon} is not in Vietnam (lat about {lat_from:g}-{lat_to:g}, lon about "
                                 "{lon_from:g}-{lon_to:g}); copy the point again from a map (e.g. lat: 21.5334, "
                                 "lon: 107.9661)", lat=lat, lon=lon, **ranges))
        return data


class Image(Strict):
    file: ImagePath = Field(description="Path inside media/, e.g. den-xa-tac/gate.jpg.")
    alt: local_text("alt") = Field(description="What the image shows, for people who cannot see it.")
    caption: local_text("caption") | None = None
    credit: text("credit") | None = Field(None, description="Who took the photo or made the picture (a name).")
    illustration: bool = Field(False, description="true when it is a drawing or a computer illustration, not a photo.")


class Link(Strict):
    url: Annotated[str, Field(max_length=MAX_TEXT["url"]), AfterValidator(_check_http_url)] = Field(
        description="http:// or https:// only.")
    label: local_text("label")
    kind: Literal[LINK_KINDS] = "other"  # type: ignore[valid-type]


class LunarDate(Strict):
    """A yearly day of the Vietnamese lunar calendar, e.g. the 8th day of the 3rd month."""

    month: int = Field(ge=1, le=12, description="Lunar month, 1-12.")
    day: int = Field(ge=1, le=30, description="Day of the lunar month, 1-30.")


class Practical(Strict):
    hours: local_text("practical") | None = Field(None, description="Opening hours.")
    fee: local_text("practical") | None = Field(None, description="Entrance fee, or that entry is free.")
    festival: local_text("practical") | None = Field(None, description="Festival dates.")
    festival_lunar: LunarDate | None = Field(
        None, description="The festival's main day in the lunar calendar: the page gives its next dates in the "
                          "visitor's calendar.")
    contact: text("contact") | None = Field(None, description="Phone or e-mail of the caretaker.")


class Video(Strict):
    """An overview video, as a phone records it; the media stage makes a small MP4 of it for phones."""

    file: VideoPath = Field(description="Path inside media/: .mp4, .mov or .m4v, at most 10 minutes.")
    title: local_text("label") | None = Field(None, description="What it shows, per language.")
    subtitles: dict[Language, SubtitlePath] = Field(
        {}, description="Subtitles per language inside media/: WebVTT (.vtt) or SubRip (.srt).")
    poster: ImagePath | None = Field(None, description="The picture shown before play; default: a frame of the video.")
    illustration: bool = Field(False, description="true when it is made from drawings or illustrations, not filmed.")


SceneKey = Annotated[str, Field(pattern=f"^{SLUG_PATTERN.pattern}$", max_length=40)]


class Hotspot(Strict):
    """A way from one scene of a tour to another, where the visitor sees it."""

    to: SceneKey = Field(description="The id of the scene it leads to.")
    label: local_text("label")
    yaw: float = Field(0, ge=-180, le=180, description="Degrees to the right of the scene's centre.")
    pitch: float = Field(0, ge=-90, le=90, description="Degrees above the horizon.")


class Scene(Strict):
    """One 360° photo of a tour: equirectangular, twice as wide as high."""

    id: SceneKey = Field(description="Short name of the scene, e.g. san-dinh: lowercase a-z, 0-9 and '-'.")
    file: ImagePath = Field(description="The equirectangular photo inside media/ (2:1, e.g. 8000 × 4000).")
    title: local_text("label")
    yaw: float = Field(0, ge=-180, le=180, description="Where the view starts: degrees to the right of the centre.")
    pitch: float = Field(0, ge=-90, le=90, description="Where the view starts: degrees above the horizon.")
    hotspots: list[Hotspot] = Field([], max_length=MAX_ENTRIES["hotspots"])
    illustration: bool = Field(False, description="true when it is a drawing or computer illustration, not a photo.")


class Site(Strict):
    """One historic site: the file a volunteer writes, sites/<slug>.yaml."""

    id: PlaqueId = Field(
        description="Plaque id printed into the QR code; 2-12 of A-Z, 0-9. Never change it once printed.",
        json_schema_extra={"pattern": f"^{ID_PATTERN.pattern}$"},
    )
    slug: Slug = Field(
        "",  # the loader writes in the file's name (without .yaml) when the file has no slug
        description="Page address: lowercase a-z, 0-9 and '-'; default: the file's name without .yaml (the form "
                    "editor names a new file from the Vietnamese name). Old addresses keep working if it changes.",
        json_schema_extra={"pattern": f"^{SLUG_PATTERN.pattern}$", "maxLength": MAX_SLUG_LENGTH,
                           "not": {"enum": list(RESERVED_SLUGS)}},
    )
    category: Annotated[
        Literal[CATEGORIES],  # type: ignore[valid-type]
        BeforeValidator(_category_before),
        WithJsonSchema({"enum": [*CATEGORIES, *CATEGORY_NAMES_VI],
                        "description": "Kind of site: an English key or its Vietnamese name (đình, đền, chùa…)."}),
    ]
    area: local_text("area") = Field(description="Town or district, used to group the home page.")
    organisation: Annotated[str, AfterValidator(_check_organisation)] | None = Field(
        None, description="Key of the organisation (in mkdocs.yml) that looks after this site and prints its plaque; "
                          "default: the one whose areas include this site's area.")
    name: local_text("name")
    summary: local_text("summary") = Field(description="One or two sentences, used in lists and previews.")
    body: LocalMarkdown = Field(description="The guide text in Markdown; HTML is shown as text.")
    location: Location
    status: Literal[STATUSES] = "open"  # type: ignore[valid-type]
    status_note: local_text("status_note") | None = Field(None, description="Why it is closed or under restoration.")
    practical: Practical | None = None
    images: list[Image] = Field([], max_length=MAX_ENTRIES["images"])
    audio: dict[Language, AudioPath] = Field({}, description="Narration file per language, inside media/.")
    audio_reads_text: bool = Field(
        False, description="true when each recording reads the page's text word for word (else it is an introduction).")
    video: Video | None = Field(None, description="An overview video, with subtitles per language.")
    panoramas: list[Scene] = Field([], max_length=MAX_ENTRIES["panoramas"],
                                   description="A VR360 tour: its scenes, the first one shown first.")
    links: list[Link] = Field([], max_length=MAX_ENTRIES["links"])
    sources: list[Annotated[str, Field(max_length=MAX_TEXT["source"]), AfterValidator(_check_source)]] = Field(
        description="Where the facts come from: web addresses or citations in words.",
        min_length=1, max_length=MAX_ENTRIES["sources"],
    )
    uncertain: list[local_text("uncertain")] = Field(
        [], description="Notes on facts that are approximate or disputed.", max_length=MAX_ENTRIES["uncertain"])


class Licence(Strict):
    name: Text = Field(description="Its short name, e.g. CC BY-SA 4.0.")
    url: Annotated[str, AfterValidator(_check_http_url)] | None = Field(None, description="Where its terms are.")


class Organisation(Strict):
    """A youth union (or other body) that looks after sites: named on their plaques, sheets and pages."""

    name: dict[str, Text] = Field(description="Its full name per language; the default language is required.")
    short: Annotated[str, Field(min_length=1, max_length=40)] = Field(
        description="A short name for lists and print runs, e.g. ĐTN Ka Long.")
    logo: LogoPath | None = Field(None, description="A PNG or JPEG inside media/, printed on its plaques' band.")
    areas: list[Text] = Field([], description="The areas (as sites write them in Vietnamese) whose sites it looks after.")


class Settings(Strict):
    """The `extra.guide` section of mkdocs.yml: what volunteers may change about the whole guide."""

    languages: Annotated[list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]], Field(min_length=1)] = [
        "vi",
        "en",
        "zh",
    ]
    default_language: str = "vi"
    title: dict[str, Text] = Field(description="The guide's name per language.")
    organisation: dict[str, Text] = Field(
        description="Who publishes the guide: in the footer of pages of no organisation's, and on plaques of sites no "
                    "organisation looks after.")
    organisations: dict[Annotated[str, Field(pattern=f"^{ORGANISATION_KEY.pattern}$", max_length=40)], Organisation] = Field(
        {}, description="The organisations that look after sites, by a short key (lowercase, e.g. ka-long).")
    plaque_base: str | None = Field(
        None,
        description="Start of the address printed in QR codes; default: the site URL in capitals + 'Q/'.",
    )
    repository: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")] | None = Field(
        None, description="The GitHub repository (owner/name) the form editor at /admin/ saves to; default: the "
                          "repository the publishing workflow runs in.")
    fallback_language: str | None = Field(
        None, description="Language for visitors whose phone asks for none of the guide's languages; default: "
                          "English if the guide has it, else the default language.")
    video_height: Literal[480, 720] = Field(
        480, description="Lines of the published videos (of their shorter side): 480 loads on slow data, 720 is sharper.")
    nearby_km: float = Field(10, gt=0, le=200, description="Sites further apart than this are not listed as nearby.")
    licence: Licence | None = Field(None, description="The licence of the guide's texts and photos, shown in every footer.")

    @property
    def fallback(self) -> str:
        """The language a phone in any other language gets: English serves most foreign visitors."""
        if self.fallback_language:
            return self.fallback_language
        return "en" if "en" in self.languages else self.default_language
