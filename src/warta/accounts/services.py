"""Writes for roles and users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from warta.accounts.models import Role
from warta.sop.definition import Role as SopRole


@transaction.atomic
def sync_roles(*, roles: Iterable[SopRole]) -> list[Role]:
    """Create or rename the Role (and its group) for each swimlane of an SOP definition."""
    synced = []
    for sop_role in roles:
        role = Role.objects.filter(code=sop_role.id).select_related("group").first()
        if role is None:
            group, _ = Group.objects.get_or_create(name=sop_role.name)
            role = Role.objects.create(code=sop_role.id, name=sop_role.name, group=group)
        elif role.name != sop_role.name:
            role.name = sop_role.name
            role.save(update_fields=["name"])
            if not Group.objects.filter(name=sop_role.name).exclude(pk=role.group_id).exists():
                role.group.name = sop_role.name
                role.group.save(update_fields=["name"])
        synced.append(role)
    return synced


def grant_role(*, user: Any, role_code: str) -> None:
    user.groups.add(Role.objects.get(code=role_code).group)
