"""Demo people for a fresh installation: the ones listed in ``people.yaml`` (an administrator
and people for the roles of the shipped SOP)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from warta.accounts.models import Role
from warta.accounts.services import grant_role

PEOPLE_FILE = Path(__file__).resolve().parent / "people.yaml"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role: str | None  # a role id of the SOP; None for the administrator


@cache
def demo_people() -> tuple[DemoPerson, ...]:
    """The people of ``people.yaml``, in its order."""
    entries = yaml.safe_load(PEOPLE_FILE.read_text(encoding="utf-8"))
    return tuple(
        DemoPerson(
            username=str(entry["username"]),
            full_name=str(entry["full_name"]),
            role=entry.get("role") or None,
        )
        for entry in entries
    )


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    full_name: str
    role: str


@transaction.atomic
def create_demo_users() -> list[DemoLogin]:
    """Create the demo users if the database has no users at all; return their logins."""
    User = get_user_model()
    if User.objects.exists():
        return []
    logins = []
    roles = {role.code: role for role in Role.objects.all()}
    for person in demo_people():
        if person.role is not None and person.role not in roles:
            continue
        password = secrets.token_urlsafe(9)
        first, _, last = person.full_name.partition(" ")
        is_admin = person.role is None
        user = User.objects.create_user(
            username=person.username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{person.username}@warta.invalid",
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        role_name = "Administrator"
        if person.role is not None:
            grant_role(user=user, role_code=person.role)
            role_name = roles[person.role].name
        logins.append(DemoLogin(person.username, password, person.full_name, role_name))
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    width = max(len(login.username) for login in logins)
    lines = ["Akun demo Warta (dibuat sekali, saat basis data masih kosong):"]
    for login in logins:
        who = f"{login.role} ({login.full_name})"
        lines.append(f"  {login.username:<{width}}  sandi: {login.password:<14} {who}")
    lines.append(
        "  Administrator wajib faktor kedua: saat masuk pertama kali, Warta menampilkan kode QR"
        " untuk aplikasi autentikator di ponsel (lihat README, bagian Second factor)."
    )
    return "\n".join(lines) + "\n"


def save_logins(text: str, data_dir: Path) -> Path:
    path = data_dir / "demo-logins.txt"
    path.write_text(text)
    path.chmod(0o600)
    return path
