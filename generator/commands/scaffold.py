"""`build.py new`: a complete, commented site file to fill in, with a fresh plaque id; never overwrites."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..messages import say
from ..problems import GuideError
from ..source.load import Project
from ..source.model import category_key, category_list, check_slug
from ..source.registry import fresh_id, used_ids
from ..web.pages import render_template


def free_id(root: Path, slug: str) -> str:
    """A plaque id no site file uses and the registry never issued, from the slug's initials (`build.py id`)."""
    try:
        check_slug(slug)
    except ValueError as error:
        raise GuideError(str(error)) from None
    return fresh_id(slug, used_ids(Project(root)))


def new_site(root: Path, slug: str, name: str, category: str, area: str) -> tuple[Path, str]:
    """Write sites/<slug>.yaml and media/<slug>/; refuse if the file exists."""
    project = Project(root)
    plaque_id = free_id(root, slug)  # checks the slug first: it names a file
    try:
        category_key(category)
    except ValueError as error:
        raise GuideError(str(error)) from None
    target = project.sites_dir / f"{slug}.yaml"
    if target.exists():
        raise GuideError(say("{file} already exists; nothing was changed", file=project.show(target)))
    text = render_template(
        "new-site.yaml", id=plaque_id, slug=slug, category=category, categories=category_list(),
        name=json.dumps(name, ensure_ascii=False), area=json.dumps(area, ensure_ascii=False),
    )
    yaml.safe_load(text)  # the template must stay valid YAML whatever was typed
    project.sites_dir.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    media = project.media_dir / slug
    media.mkdir(parents=True, exist_ok=True)
    (media / ".gitkeep").touch()
    return target, plaque_id
