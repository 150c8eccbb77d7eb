"""A realistic test project of any size: N site files with varied text and one distinct photo each.

    from tools.scale_project import make_project
    project = make_project(Path("/tmp/big"), sites=1000)

Repeating the three samples would flatter every cache and compressor (the same words, the same
photos), so each site gets its own text, drawn from pools of real Vietnamese syllables, English words
and common Chinese characters with a seeded `random.Random`: runs are repeatable, sites all differ.
Needs the repository root on `sys.path` (tests have it; tools/bench_scale.py adds it).
Photos are 2000×1500 JPEGs (quality 88, as a volunteer's phone photo after shrinking) built from
octaves of smooth noise over a sky, hills and a building, so they compress like photographs
(about 0.6–1.2 MB), not like flat colour or pure noise.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from generator.source.model import CATEGORIES

REPO = Path(__file__).resolve().parent.parent
PHOTO_SIZE = (2000, 1500)
PHOTO_QUALITY = 88
SAMPLE_AUDIO = ("cot-moc-1368/thuyet-minh-vi.mp3", "den-tran-hung-dao/thuyet-minh-vi.mp3", "den-xa-tac/thuyet-minh-vi.mp3")
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/site.schema.json\n"

# --- word pools -------------------------------------------------------------------------------------------

VI_FUNCTION = ("và", "của", "là", "có", "được", "trong", "những", "các", "người", "này", "với", "cho", "từ", "đến",
               "khi", "một", "đã", "nơi", "theo", "về", "còn", "vào", "ở", "trên", "nhiều", "cũng", "như", "lại")
VI_CONTENT = (
    "đền", "đình", "chùa", "miếu", "làng", "xã", "phường", "sông", "núi", "biển", "đảo", "vịnh", "cầu", "bến",
    "thuyền", "cọc", "trận", "giặc", "vua", "quan", "tướng", "dân", "lễ", "hội", "hương", "khói", "cổng", "mái",
    "ngói", "cột", "gỗ", "đá", "bia", "tượng", "đồng", "gian", "hậu", "cung", "tiền", "đường", "sân", "giếng",
    "cây", "đa", "gạo", "lúa", "mùa", "xuân", "thu", "tháng", "năm", "đời", "triều", "Trần", "Lý", "Lê", "Nguyễn",
    "lịch sử", "di tích", "quốc gia", "xếp hạng", "tu bổ", "trùng tu", "kiến trúc", "chạm khắc", "hoa văn",
    "rồng", "phượng", "sắc phong", "câu đối", "hoành phi", "bài vị", "thành hoàng", "thần tích", "truyền thuyết",
    "kháng chiến", "chiến thắng", "thủy chiến", "biên giới", "chủ quyền", "cột mốc", "đồn biên phòng", "bộ đội",
    "du khách", "người dân", "dòng họ", "tổ tiên", "khai khẩn", "vùng đất", "ven biển", "cửa sông", "bãi triều",
    "rừng ngập mặn", "hang động", "thạch nhũ", "than đá", "mỏ", "thợ mỏ", "công nhân", "nhà thờ", "gác chuông",
    "mái vòm", "bảo tàng", "hiện vật", "gốm", "sứ", "đồ đồng", "tiền cổ", "mộ", "lăng", "bia đá", "chữ Hán",
    "chữ Nôm", "khắc", "ghi", "dựng", "xây", "dời", "sửa", "thờ", "cúng", "tế", "rước", "kiệu", "múa", "hát",
    "chèo", "đu", "vật", "cờ", "trống", "chiêng", "hoa", "quả", "bánh chưng", "xôi", "rượu", "trà", "nước",
    "trời", "đất", "gió", "mưa", "bão", "lũ", "sóng", "thủy triều", "bình minh", "hoàng hôn", "ánh sáng", "bóng",
    "xanh", "đỏ", "vàng", "trắng", "cao", "rộng", "dài", "sâu", "cổ", "mới", "đẹp", "linh thiêng", "yên tĩnh",
    "nổi tiếng", "quan trọng", "đặc biệt", "hằng năm", "mùng", "rằm", "âm lịch", "thế kỷ", "thời", "xưa", "nay",
    "hiện", "vẫn", "giữ", "lưu", "kể", "nhớ", "ghi nhận", "công nhận", "bằng", "quyết định", "tỉnh", "huyện",
    "thị xã", "thành phố", "khu phố", "thôn", "bản", "dân tộc", "Tày", "Dao", "Sán Dìu", "Hoa", "Kinh",
    "đường mòn", "bậc đá", "sườn đồi", "đỉnh", "chân núi", "bờ", "mép nước", "mặt trời", "trăng", "sao",
)
EN_FUNCTION = ("the", "of", "and", "a", "in", "to", "was", "is", "on", "by", "for", "with", "its", "from", "at", "as",
               "that", "it", "were", "which", "this", "an", "are", "after", "when", "still", "where", "their")
EN_CONTENT = (
    "temple", "communal", "house", "pagoda", "shrine", "village", "commune", "ward", "river", "mountain", "sea",
    "island", "bay", "bridge", "landing", "boat", "stakes", "battle", "invaders", "king", "mandarin", "general",
    "people", "festival", "incense", "gate", "roof", "tiles", "pillar", "wood", "stone", "stele", "statue",
    "bronze", "bay", "sanctuary", "front", "hall", "courtyard", "well", "banyan", "tree", "rice", "season",
    "spring", "autumn", "month", "year", "dynasty", "history", "relic", "national", "listed", "restored",
    "rebuilt", "architecture", "carved", "carvings", "pattern", "dragon", "phoenix", "royal", "decree",
    "parallel", "sentences", "tablet", "guardian", "spirit", "legend", "resistance", "victory", "naval",
    "border", "sovereignty", "marker", "post", "soldiers", "visitors", "villagers", "clan", "ancestors",
    "settlers", "land", "coast", "estuary", "tidal", "flats", "mangrove", "forest", "cave", "stalactites", "coal",
    "mine", "miners", "workers", "church", "bell", "tower", "dome", "museum", "objects", "pottery", "ceramics",
    "coins", "tomb", "mausoleum", "inscription", "Chinese", "characters", "Nom", "script", "engraved", "recorded",
    "founded", "moved", "repaired", "worshipped", "offerings", "procession", "palanquin", "dance", "songs",
    "drums", "gongs", "flowers", "fruit", "sticky", "wine", "tea", "water", "sky", "earth", "wind", "rain",
    "storm", "flood", "waves", "tide", "dawn", "dusk", "light", "shade", "green", "red", "golden", "white", "tall",
    "wide", "long", "deep", "ancient", "new", "beautiful", "sacred", "quiet", "famous", "important", "unusual",
    "every", "lunar", "century", "period", "old", "today", "kept", "told", "remembered", "recognised",
    "decision", "province", "district", "town", "city", "quarter", "hamlet", "ethnic", "Tay", "Dao", "San",
    "Diu", "path", "steps", "hillside", "summit", "foot", "bank", "shore", "sun", "moon", "stars", "fishermen",
    "market", "road", "ferry", "harbour", "lighthouse", "fortress", "wall", "moat", "trench", "monument",
)
ZH_CHARACTERS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
    "后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开"
    "它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此"
    "变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老"
    "头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研质信海"
    "庙亭寺祠碑塔殿堂宫门桥江河湖岛湾滩林石木瓦柱像铜王帝将军臣民村社坊街市县省朝陈黎阮李古旧修建迁移供奉祭"
    "节祀香火龙凤雕刻花纹敕封对联匾额神灵传说抗击胜利边界主权纪念遗迹历史文化保护旅游游客乡亲祖先开垦煤矿工人"
)
VI_HEADINGS = ("Lịch sử", "Kiến trúc", "Lễ hội", "Truyền thuyết", "Hiện vật", "Đường đến", "Tu bổ và xếp hạng",
               "Các vị được thờ", "Cảnh quan", "Người giữ đền", "Chuyện làng", "Dấu tích xưa")
EN_HEADINGS = ("History", "Architecture", "The festival", "Legends", "What is kept here", "Getting there",
               "Restoration and listing", "Who is worshipped here", "The setting", "The keepers", "Village stories",
               "Traces of the past")
ZH_HEADINGS = ("历史", "建筑", "节庆", "传说", "文物", "交通", "修缮与列级", "供奉的神灵", "景观", "守庙人", "村中旧事",
               "古迹遗痕")
VI_PROPER = ("Yên", "Giang", "Hưng", "Long", "Phong", "Lạc", "Bình", "An", "Thái", "Hòa", "Tân", "Đông", "Hải",
             "Sơn", "Thủy", "Kim", "Ngọc", "Phúc", "Lộc", "Thọ", "Minh", "Quang", "Đức", "Vĩnh", "Thịnh", "Cường",
             "Mỹ", "Hà", "Lâm", "Tiên", "Vân", "Đồn", "Cửa", "Ông", "Bà", "Trà", "Cổ", "Mạo", "Khê", "Hoành")
CATEGORY_NAMES = {  # vi prefix, en suffix, zh suffix
    "temple": ("Đền", "Temple", "庙"), "communal-house": ("Đình", "Communal House", "亭"),
    "shrine": ("Miếu", "Shrine", "祠"), "pagoda": ("Chùa", "Pagoda", "寺"),
    "border-marker": ("Cột mốc", "Border Marker", "界碑"), "memorial": ("Đài tưởng niệm", "Memorial", "纪念碑"),
    "battlefield": ("Chiến trường", "Battlefield", "战场遗址"), "church": ("Nhà thờ", "Church", "教堂"),
    "museum": ("Bảo tàng", "Museum", "博物馆"), "tomb": ("Lăng", "Tomb", "陵"),
    "landscape": ("Thắng cảnh", "Scenic Site", "胜景"), "other": ("Di tích", "Historic Site", "遗迹"),
}
AREAS = (  # (vi, en, zh): about twenty towns and districts, so the home page has realistic groups
    ("Hạ Long", "Ha Long", "下龙"), ("Cẩm Phả", "Cam Pha", "锦普"), ("Uông Bí", "Uong Bi", "汪秘"),
    ("Móng Cái", "Mong Cai", "芒街"), ("Quảng Yên", "Quang Yen", "广安"), ("Đông Triều", "Dong Trieu", "东潮"),
    ("Vân Đồn", "Van Don", "云屯"), ("Cô Tô", "Co To", "姑苏"), ("Tiên Yên", "Tien Yen", "先安"),
    ("Bình Liêu", "Binh Lieu", "平辽"), ("Đầm Hà", "Dam Ha", "潭河"), ("Hải Hà", "Hai Ha", "海河"),
    ("Ba Chẽ", "Ba Che", "巴扯"), ("Hoành Bồ", "Hoanh Bo", "横蒲"), ("Bãi Cháy", "Bai Chay", "拜寨"),
    ("Hòn Gai", "Hon Gai", "鸿基"), ("Trà Cổ", "Tra Co", "茶古"), ("Yên Tử", "Yen Tu", "安子"),
    ("Quan Lạn", "Quan Lan", "官澜"), ("Mạo Khê", "Mao Khe", "茂溪"),
)


# --- text ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Language:
    """How one language strings words into sentences, so a single generator serves all three."""

    code: str
    word: Callable[[random.Random], str]
    joiner: str  # between words
    gap: str  # between sentences
    comma: str
    stop: str
    headings: tuple[str, ...]
    unit: Callable[[str], int]  # how long a text is: words for vi/en, characters for zh


def _pick_word(function: tuple[str, ...], content: tuple[str, ...]) -> Callable[[random.Random], str]:
    return lambda rng: rng.choice(function) if rng.random() < 0.35 else rng.choice(content)


def _zh_word(rng: random.Random) -> str:
    return "".join(rng.choice(ZH_CHARACTERS) for _ in range(rng.choice((1, 2, 2, 2, 3, 4))))


def _words(text: str) -> int:
    return len(text.split())


def _characters(text: str) -> int:
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff")


LANGUAGES = {
    "vi": Language("vi", _pick_word(VI_FUNCTION, VI_CONTENT), " ", " ", ",", ".", VI_HEADINGS, _words),
    "en": Language("en", _pick_word(EN_FUNCTION, EN_CONTENT), " ", " ", ",", ".", EN_HEADINGS, _words),
    "zh": Language("zh", _zh_word, "", "", "，", "。", ZH_HEADINGS, _characters),
}
ZH_PER_WORD = 1.6  # Chinese characters for one English word of the same text


def sentence(rng: random.Random, lang: Language, low: int = 6, high: int = 18) -> str:
    """One sentence: a capital, a comma now and then, a year or a bold word sometimes, a full stop."""
    words = [lang.word(rng) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.25:
        words.insert(rng.randrange(len(words)), str(rng.randint(1010, 2024)))
    if rng.random() < 0.1:
        spot = rng.randrange(len(words))
        words[spot] = f"**{words[spot]}**"
    if len(words) > 8 and rng.random() < 0.6:
        spot = rng.randrange(3, len(words) - 2)
        words[spot] += lang.comma
    text = lang.joiner.join(words) + lang.stop
    return text[0].upper() + text[1:]


def paragraph(rng: random.Random, lang: Language) -> str:
    return lang.gap.join(sentence(rng, lang) for _ in range(rng.randint(2, 5)))


def body(rng: random.Random, lang: Language, target: int) -> str:
    """Markdown with an opening paragraph, a few `##` sections and one list, about `target` long."""
    headings = rng.sample(lang.headings, k=len(lang.headings))
    blocks = [paragraph(rng, lang)]
    list_after = rng.randint(1, 3)
    while lang.unit("\n".join(blocks)) < target:
        blocks.append(f"## {headings.pop() if headings else sentence(rng, lang, 2, 4).rstrip(lang.stop)}")
        blocks += [paragraph(rng, lang) for _ in range(rng.randint(1, 2))]
        list_after -= 1
        if list_after == 0:
            blocks.append("\n".join(f"- {sentence(rng, lang, 3, 9)}" for _ in range(rng.randint(3, 5))))
    return "\n\n".join(blocks) + "\n"


def _proper(rng: random.Random) -> str:
    return " ".join(rng.sample(VI_PROPER, k=2))


def site_document(number: int, seed: int, photo: str, audio: str) -> dict:
    """The data of site `number`: every language's text differs from every other site's."""
    rng = random.Random(f"site-{seed}-{number}")
    category = rng.choice(CATEGORIES)
    area = AREAS[rng.randrange(len(AREAS))]
    proper = _proper(rng)
    vi_name, en_name, zh_name = CATEGORY_NAMES[category]
    words = rng.randint(240, 520)  # sections overshoot the target a little: bodies land at 250–600 words
    texts = {code: LANGUAGES[code] for code in ("vi", "en", "zh")}
    names = {"vi": f"{vi_name} {proper}", "en": f"{proper} {en_name}",
             "zh": "".join(rng.choice(ZH_CHARACTERS) for _ in range(2)) + zh_name}
    document: dict = {
        "id": f"B{number:05d}",
        "slug": f"site-{number:05d}",
        "category": category,
        "area": dict(zip(("vi", "en", "zh"), area, strict=True)),
        "name": names,
        "summary": {code: lang.gap.join(sentence(rng, lang, 10, 22) for _ in range(2)) for code, lang in texts.items()},
        "body": {code: body(rng, lang, round(words * (ZH_PER_WORD if code == "zh" else 1)))
                 for code, lang in texts.items()},
        "location": {
            "lat": round(rng.uniform(20.8, 21.6), 5), "lon": round(rng.uniform(106.5, 108.0), 5), "approximate": True,
            "address": {"vi": f"Thôn {proper}, {area[0]}, tỉnh Quảng Ninh",
                        "en": f"{proper} hamlet, {area[1]}, Quang Ninh province", "zh": f"广宁省{area[2]}{names['zh'][:2]}村"},
        },
        "images": [{
            "file": photo,
            "alt": {code: sentence(rng, lang, 8, 16) for code, lang in texts.items()},
            "caption": {"vi": f"{names['vi']} ({area[0]}).", "en": f"{names['en']} ({area[1]}).",
                        "zh": f"{area[2]}的{names['zh']}。"},
            "credit": f"Ảnh: tình nguyện viên {rng.choice(VI_PROPER)} {rng.choice(VI_PROPER)}",
        }],
        "audio": {"vi": audio},
        "sources": [f"https://example.vn/di-tich/{number:05d}"],
    }
    if rng.random() < 0.5:
        document["practical"] = {"hours": {"vi": "7:00–17:00 hằng ngày", "en": "7:00–17:00 daily", "zh": "每天7:00–17:00"}}
    if rng.random() < 0.3:
        document["uncertain"] = [{code: sentence(rng, lang) for code, lang in texts.items()}]
    return document


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as `|` blocks, as volunteers write them."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


def site_yaml(document: dict) -> str:
    return SCHEMA_LINE + yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6)


# --- photos -------------------------------------------------------------------------------------------------

def _octave(rng: random.Random, scale: int) -> Image.Image:
    """Smooth random detail at one scale: a small random image blown up with bicubic interpolation."""
    width, height = PHOTO_SIZE
    small = (width // scale + 3, height // scale + 3)
    tile = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    return tile.resize(PHOTO_SIZE, Image.Resampling.BICUBIC, box=(1, 1, 1 + width / scale, 1 + height / scale))


def _texture(rng: random.Random) -> Image.Image:
    """Octaves summed with more weight on the coarse ones, plus a little grain: the detail of a photo."""
    texture, weight = None, 0.0
    for scale in (256, 96, 32, 12, 4, 2):
        layer, share = _octave(rng, scale), scale ** 0.6
        texture = layer if texture is None else Image.blend(texture, layer, share / (weight + share))
        weight += share
    assert texture is not None
    return Image.blend(ImageOps.autocontrast(texture, cutoff=1), _octave(rng, 1), rng.uniform(0.1, 0.2)).convert("RGB")


def _shade(rng: random.Random, colour: tuple[int, int, int], spread: int = 30) -> tuple[int, int, int]:
    return tuple(max(0, min(255, c + rng.randint(-spread, spread))) for c in colour)  # type: ignore[return-value]


def _scene(rng: random.Random) -> Image.Image:
    """Sky gradient, hills, a temple-like building and trees: edges and areas as a site photo has."""
    width, height = PHOTO_SIZE
    scene = Image.new("RGB", PHOTO_SIZE)
    draw = ImageDraw.Draw(scene)
    horizon = int(height * rng.uniform(0.3, 0.5))
    top, low = _shade(rng, (100, 150, 220)), _shade(rng, (220, 222, 235), 15)
    for y in range(horizon):
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * y / horizon) for a, b in zip(top, low, strict=True)))
    ground = _shade(rng, (90, 115, 60))
    draw.rectangle([0, horizon, width, height], fill=ground)
    for layer in range(3):
        crest = horizon - rng.randint(20, 200) + layer * 60
        points = [(0, height), *((x, crest + rng.randint(-60, 60)) for x in range(0, width + 100, 100)), (width, height)]
        draw.polygon(points, fill=_shade(rng, tuple(c - 20 * (2 - layer) for c in ground)))  # type: ignore[arg-type]
    left, wide = rng.randint(100, width - 900), rng.randint(500, 800)
    base, tall = horizon + rng.randint(50, 250), rng.randint(250, 450)
    draw.rectangle([left, base, left + wide, base + tall], fill=_shade(rng, (200, 165, 125)))
    draw.polygon([(left - 80, base), (left + wide + 80, base), (left + wide - 60, base - 180), (left + 60, base - 180)],
                 fill=_shade(rng, (110, 55, 40), 20))
    for pillar in range(4):
        middle = left + 40 + pillar * (wide - 80) // 3
        draw.rectangle([middle - 18, base + 40, middle + 18, base + tall], fill=_shade(rng, (150, 30, 30), 15))
    for _ in range(rng.randint(3, 8)):
        x, y, r = rng.randint(0, width), horizon + rng.randint(100, 700), rng.randint(60, 220)
        draw.ellipse([x - r, y - r, x + r, y + r // 2], fill=_shade(rng, (45, 95, 40)))
    return scene.filter(ImageFilter.GaussianBlur(1.5))


def make_photo(target: Path, seed: str) -> int:
    """Write one distinct photo; return its size in bytes."""
    rng = random.Random(seed)
    picture = ImageChops.overlay(_scene(rng), _texture(rng))
    target.parent.mkdir(parents=True, exist_ok=True)
    picture.save(target, "JPEG", quality=PHOTO_QUALITY)
    return target.stat().st_size


def _make_photo_job(job: tuple[Path, str]) -> int:
    return make_photo(*job)


# --- the project --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScaleProject:
    """A generated project: where it is and which site uses which photo."""

    root: Path
    sites: int
    photos: int  # distinct photos; sites beyond share them
    seed: int
    photo_bytes: int  # total size of the distinct photos

    def site_file(self, number: int) -> Path:
        return self.root / "sites" / f"site-{number:05d}.yaml"

    def photo_name(self, number: int) -> str:
        """Media path of the photo site `number` (1-based) shows."""
        return f"photos/photo-{(number - 1) % self.photos + 1:05d}.jpg"


def make_project(root: Path, sites: int, photos: int | None = None, seed: int = 1, workers: int | None = None) -> ScaleProject:
    """Write mkdocs.yml, `sites` site files, their photos (on every core) and shared audio into `root`.

    No plaques.yaml: the first build creates it, as for a new guide."""
    photos = min(photos or sites, sites)
    (root / "sites").mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for index, sample in enumerate(SAMPLE_AUDIO):
        (root / "media" / "audio").mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "media" / sample, root / "media" / "audio" / f"narration-{index}.mp3")
    project = ScaleProject(root, sites, photos, seed, 0)
    jobs = [(root / "media" / project.photo_name(n), f"photo-{seed}-{n}") for n in range(1, photos + 1)]
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        sizes = pool.map(_make_photo_job, jobs, chunksize=4)
        for number in range(1, sites + 1):  # the text is written while the photos are drawn
            audio = f"audio/narration-{number % len(SAMPLE_AUDIO)}.mp3"
            document = site_document(number, seed, project.photo_name(number), audio)
            project.site_file(number).write_text(site_yaml(document), encoding="utf-8")
        total = sum(sizes)
    return ScaleProject(root, sites, photos, seed, total)


def edit_summary(site_file: Path, word: str) -> None:
    """A volunteer's small edit: one new word at the start of the Vietnamese summary."""
    document = yaml.safe_load(site_file.read_text(encoding="utf-8"))
    document["summary"]["vi"] = f"{word} {document['summary']['vi']}"
    site_file.write_text(site_yaml(document), encoding="utf-8")


def replace_photo(project: ScaleProject, number: int, seed: str) -> Path:
    """Overwrite the photo of site `number` with a new distinct one, as a volunteer replacing a picture."""
    target = project.root / "media" / project.photo_name(number)
    make_photo(target, seed)
    return target
