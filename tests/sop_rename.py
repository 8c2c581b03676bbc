"""A copy of an SOP definition with every step, branch, artifact and role id renamed.

The product must run it unchanged: nothing in the code may depend on the shipped ids. The
renaming is done on the parsed YAML (every place the format uses an id), independently of the
product's loader.
"""

from __future__ import annotations

import yaml


def _item_id(item):
    return item if isinstance(item, str) else item["artifact"]


def renamed_definition(text: str, prefix: str = "x") -> tuple[str, dict[str, str]]:
    """``text`` with all ids renamed to ``<prefix><n>_<old>``; returns (yaml, old → new)."""
    data = yaml.safe_load(text)
    new: dict[str, str] = {}

    def rename(old: str) -> str:
        if old not in new:
            new[old] = f"{prefix}{len(new) + 1}_{old}"[:50]
        return new[old]

    for role in data["roles"]:
        role["id"] = rename(role["id"])
    for role in data["roles"]:
        if role.get("supervisor"):
            role["supervisor"] = rename(role["supervisor"])
    for artifact in data.get("artifacts", []):
        artifact["id"] = rename(artifact["id"])
    for step in data["steps"]:
        step["id"] = rename(step["id"])
    data["start"] = rename(data["start"])
    for step in data["steps"]:
        if step.get("actor"):
            step["actor"] = rename(step["actor"])
        if step.get("next"):
            step["next"] = rename(step["next"])
        for branch in step.get("branches") or []:
            branch["id"] = rename(branch["id"])
            branch["next"] = rename(branch["next"])
        for column in ("kelengkapan", "output"):
            quality = step.get(column)
            if isinstance(quality, dict):
                quality["items"] = [
                    rename(item)
                    if isinstance(item, str)
                    else {**item, "artifact": rename(item["artifact"])}
                    for item in quality.get("items", [])
                ]
    for rule in data.get("separation_of_duties", []):
        rule["performed"] = [rename(step) for step in rule["performed"]]
        rule["excluded"] = [rename(step) for step in rule["excluded"]]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False), new
