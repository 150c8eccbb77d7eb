"""The built site is whole: every internal link, image variant, audio file, language alternate, sitemap
entry, search file and plaque address resolves; a build whose output is not whole fails and keeps the
previous site."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from generator import pipeline
from generator.commands.cli import main
from generator.web import integrity
from tests.test_build import SITE_URL


@pytest.fixture
def copy_of_built(built: pipeline.BuildResult, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built.output, tmp_path / "site"))


def problems_in(folder: Path, required: tuple[str, ...] = ()) -> list[str]:
    return [str(problem) for problem in integrity.check(folder, SITE_URL, required)]


def first_file(folder: Path, pattern: str) -> str:
    found = sorted(str(path.relative_to(folder)) for path in folder.glob(pattern))
    assert found, pattern
    return found[0]


def test_the_built_sample_site_is_whole(built: pipeline.BuildResult) -> None:
    plaques = [f"{form}{end}" for plaque in ("KL1368", "KLXT01", "YGTHD1") for form in (f"Q/{plaque}", f"q/{plaque.lower()}")
               for end in ("", "/")]
    assert problems_in(built.output, tuple(plaques)) == []


@pytest.mark.parametrize(("deleted", "expected"), [
    ("media/*-480.webp", r"en/\S+/index\.html: srcset: \.\./\.\./media/{file} is not in the built site"),
    ("media/*-960.jpg", r"zh/\S+/index\.html: src: \.\./\.\./media/{file} is not in the built site"),
    ("media/*-narration-en.mp3", r"en/\S+/index\.html: src: \.\./\.\./media/{file} is not in the built site"),
    ("zh/den-xa-tac/index.html", r"en/den-xa-tac/index\.html: href: \.\./\.\./zh/den-xa-tac/ is not in the built site"),
    ("zh/den-xa-tac/index.html", r"sitemap\.xml: xhtml:link: https://heritage\.example\.vn/zh/den-xa-tac/ is not in"),
    ("zh/den-xa-tac/index.html", r"zh/sitemap\.xml: loc: https://heritage\.example\.vn/zh/den-xa-tac/ is not in"),
    ("zh/den-xa-tac/index.html", r"zh/search/index\.json: sites: \.\./den-xa-tac/ is not in the built site"),
    ("zh/den-xa-tac/index.html", r"zh/area/[a-z-]+/offline\.json: urls: zh/den-xa-tac/ is not in the built site"),
    ("en/search/summaries/0.json", r"en/search/index\.html: data-guide-shard: \.\./search/summaries/0\.json is not in"),
    ("en/search/index.json", r"en/search/index\.html: data-guide-index: \.\./search/index\.json is not in"),
    ("assets/guide.css", r"vi/index\.html: href: \.\./assets/guide\.css is not in the built site"),
    ("vi/cot-moc-1368/index.html", r"Q/KL1368\.html: refresh: \.\./vi/cot-moc-1368/ is not in the built site"),
    ("Q/KL1368/index.html", r"^Q/KL1368/: this address must keep working, but it was not built"),
    ("q/kl1368/index.html", r"^q/kl1368/: this address must keep working, but it was not built"),
])
def test_a_missing_file_is_reported_where_it_is_linked(copy_of_built: Path, deleted: str, expected: str) -> None:
    name = first_file(copy_of_built, deleted)
    (copy_of_built / name).unlink()

    problems = problems_in(copy_of_built, ("Q/KL1368", "Q/KL1368/", "q/kl1368", "q/kl1368/"))

    expected = expected.replace("{file}", re.escape(name.rpartition("/")[2]))
    assert any(re.search(expected, problem) for problem in problems), "\n".join(problems)


def write_site(folder: Path, pages: dict[str, str]) -> Path:
    for name, body in {"index.html": "<p>home</p>", **pages}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"<!doctype html><html><body>{body}</body></html>", encoding="utf-8")
    return folder


def test_how_addresses_resolve(tmp_path: Path) -> None:
    site = write_site(tmp_path, {
        "vi/a/index.html": (
            '<a href="../b/">folder</a> <a href="../b">folder without slash</a> <a href="../../Q/X1">as a file</a> '
            '<a href="#top">anchor</a> <a href="./?q=1#x">same page</a> <a href=".."> up</a> '
            '<a href="https://heritage.example.vn/vi/b/">own host</a> <a href="//heritage.example.vn/vi/">no scheme</a> '
            '<a href="/vi/b/index.html">root path</a> <a href="../b/%69ndex.html">percent-encoded</a> '
            "<a href='../b/'>single quotes</a> <img src=../b/x.webp alt=''> "
            '<a href="https://example.org/x">other host</a> <a href="mailto:a@b.vn">mail</a> <a href="geo:21,107">map</a> '
            '<img srcset="data:image/png;base64,AAAA 1x, ../b/x.webp 2x" alt=""> '
            '<meta content="https://example.org/og.png"> <meta content="Some text: not an address">'),
        "vi/index.html": "", "vi/b/index.html": "", "vi/b/x.webp": "", "Q/X1.html": "",
    })
    assert problems_in(site) == []


def test_markup_shown_as_text_is_not_a_link(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"vi/index.html": (
        "<title>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;</title>"
        '<meta property="og:title" content="&lt;img src=x&gt; and href=&#34;y&#34; src=\'z\'">'
        '<p>&lt;a href="nowhere/"&gt;a link written as text&lt;/a&gt; <img alt="src=q" src="../index.html"></p>')})

    assert problems_in(site) == []


def test_broken_and_escaping_addresses_are_reported(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"vi/a/index.html": (
        '<a href="../../../etc/passwd">out</a> <a href="/other-root/x">outside the site path</a> '
        '<img src="../nope.webp" alt=""> <img srcset="../a/x-480.webp 480w, ../a/x-960.webp 960w" alt=""> '
        '<meta property="og:image" content="https://heritage.example.vn/media/gone.jpg"> '
        '<meta http-equiv="refresh" content="0; url=../moved/">'),
        "vi/a/x-480.webp": ""})

    problems = problems_in(site)

    assert sorted(problems) == sorted([
        "vi/a/index.html: href: ../../../etc/passwd leads outside the built site",
        "vi/a/index.html: href: /other-root/x is not in the built site",
        "vi/a/index.html: src: ../nope.webp is not in the built site",
        "vi/a/index.html: srcset: ../a/x-960.webp is not in the built site",
        "vi/a/index.html: content: https://heritage.example.vn/media/gone.jpg is not in the built site",
        "vi/a/index.html: refresh: ../moved/ is not in the built site",
    ])


def test_a_site_at_a_sub_path_resolves_from_there(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"vi/index.html": '<a href="/Repo/vi/">ok</a> <a href="/vi/">not under /Repo/</a>'})

    problems = [str(p) for p in integrity.check(site, "https://u.github.io/Repo/")]

    assert problems == ["vi/index.html: href: /vi/ leads outside the built site"]


def test_a_build_whose_output_is_not_whole_fails_and_keeps_the_site(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A volunteer's relative link to a page that does not exist is one way to make a site not whole."""
    assert main(["--root", str(project), "build"]) == 0
    before = sorted(str(p.relative_to(project / "site")) for p in (project / "site").rglob("*"))
    site = project / "sites" / "den-xa-tac.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace(
        "## Lịch sử", "Xem thêm [đền cũ](../den-khong-co/).\n\n    ## Lịch sử", 1), encoding="utf-8")

    assert main(["--root", str(project), "build"]) == 1

    err = capsys.readouterr().err
    assert "the built site is not whole" in err
    assert "vi/den-xa-tac/index.html: href: ../den-khong-co/ is not in the built site" in err
    assert sorted(str(p.relative_to(project / "site")) for p in (project / "site").rglob("*")) == before
    assert not list(project.glob(".site.building-*"))


def test_the_check_is_fast_at_province_scale(built: pipeline.BuildResult, tmp_path: Path) -> None:
    """1,000 sites in three languages: each sample page copied under 1,000 slugs, each plaque page 1,000 times
    (the real 1,000-site guide of tools/scale_project.py measured 0.4-0.6 s; see README)."""
    site = Path(shutil.copytree(built.output, tmp_path / "site"))
    for language in ("vi", "en", "zh"):
        for slug in ("cot-moc-1368", "den-tran-hung-dao", "den-xa-tac"):
            page = (site / language / slug / "index.html").read_bytes()
            for copy in range(333):
                (site / language / f"{slug}-{copy}").mkdir()
                (site / language / f"{slug}-{copy}" / "index.html").write_bytes(page)
    for plaque in ("KL1368", "KLXT01", "YGTHD1"):
        for copy in range(333):
            for form in (f"Q/{plaque}{copy}", f"q/{plaque.lower()}{copy}"):
                (site / form).mkdir()
                shutil.copyfile(site / "Q" / plaque / "index.html", site / form / "index.html")
                shutil.copyfile(site / "Q" / f"{plaque}.html", site / f"{form}.html")

    started = time.perf_counter()
    problems = integrity.check(site, SITE_URL)
    seconds = time.perf_counter() - started

    assert problems == []
    assert seconds < 3.0  # about 0.5 s on a quiet 2-core machine; generous for a busy CI runner
