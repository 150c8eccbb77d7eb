"""JSON Schema of the site file, generated from the models, for editors (VS Code YAML extension).

    python -m generator.source.schema     # writes schema/site.schema.json
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .load import Project, load_settings
from .model import LOCAL_TEXT_MARK, Site

SCHEMA_FILE = Path("schema") / "site.schema.json"


def _languages(node: Any, languages: list[str], default: str) -> Any:
    """Per-language texts: only configured language codes, the default one required."""
    if isinstance(node, dict):
        node = {key: _languages(value, languages, default) for key, value in node.items()}
        if node.pop(LOCAL_TEXT_MARK, False):
            node.update(propertyNames={"enum": languages}, required=[default])
    elif isinstance(node, list):
        node = [_languages(item, languages, default) for item in node]
    return node


def _optional_may_be_empty(node: Any) -> Any:
    """As the model reads it: an optional field with nothing after it (null) is as if it were not written."""
    if isinstance(node, dict):
        node = {key: _optional_may_be_empty(value) for key, value in node.items()}
        if isinstance(node.get("properties"), dict):
            required = set(node.get("required", []))
            node["properties"] = {
                name: value if name in required or value.get("type") == "null" or {"type": "null"} in value.get("anyOf", [])
                else {"anyOf": [value, {"type": "null"}]}
                for name, value in node["properties"].items()
            }
    elif isinstance(node, list):
        node = [_optional_may_be_empty(item) for item in node]
    return node


def site_schema(languages: list[str] = ["vi", "en", "zh"], default: str = "vi") -> dict:  # noqa: B006
    schema = _optional_may_be_empty(_languages(Site.model_json_schema(mode="validation"), languages, default))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Heritage site"
    return schema


def schema_for(root: Path) -> str:
    """The schema text for the project at `root`, with its configured languages."""
    settings, _config = load_settings(Project(root))
    schema = site_schema(list(settings.languages), settings.default_language)
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def main(root: Path | None = None) -> None:
    root = root or Path.cwd()
    target = root / SCHEMA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_for(root), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
