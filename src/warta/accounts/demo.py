"""Demo users for a fresh installation: one per SOP role, plus an administrator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from warta.accounts.models import Role
from warta.accounts.services import grant_role

# username, full name, role code (None for the administrator)
DEMO_PEOPLE = [
    ("admin", "Administrator Warta", None),
    ("humas", "Sari Wulandari", "staf_humas"),
    ("humas2", "Budi Santoso", "staf_humas"),
    ("kasubbag", "Rina Kartika", "kasubbag_umum_rt"),
    ("kabag", "Agus Prasetyo", "kabag_adm_umum"),
]


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
    for username, full_name, role_code in DEMO_PEOPLE:
        if role_code is not None and role_code not in roles:
            continue
        password = secrets.token_urlsafe(9)
        first, _, last = full_name.partition(" ")
        is_admin = role_code is None
        user = User.objects.create_user(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@warta.invalid",
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        role_name = "Administrator"
        if role_code is not None:
            grant_role(user=user, role_code=role_code)
            role_name = roles[role_code].name
        logins.append(DemoLogin(username, password, full_name, role_name))
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
