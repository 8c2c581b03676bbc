"""Who may do what (``warta.policy``): one table of person × permission × object → answer, and
the pages asking the policy rather than deciding for themselves."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import rules
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.workflow.helpers import ALL_HUMAS_ARTIFACTS, open_run
from warta.accounts.selectors import local_date
from warta.accounts.services import appoint_delegation
from warta.policy import PERMISSIONS, may
from warta.workflow import services
from warta.workflow.models import Deviation

WIB = ZoneInfo("Asia/Jakarta")
# Wednesday 2 December 2026, 10:00 WIB: a working day with working days around it.
TODAY = dt.datetime(2026, 12, 2, 10, 0, tzinfo=WIB)
PLH_FROM, PLH_UNTIL = dt.date(2026, 12, 3), dt.date(2026, 12, 4)

# Permissions where an administrator has authority: Django's shortcut and the policy agree.
CAPACITIES = {
    "workflow.start_case",
    "workflow.act_on_step",
    "workflow.explain_deviation",
    "workflow.review_deviation",
}


@pytest.fixture
def world(humas_sop, make_user, django_user_model):
    """The Humas SOP's three roles one above the other; a case waiting for the check (a step
    of the middle role) after its first two steps; a deviation of its first step; a Plh of the
    middle role for two days from tomorrow."""
    with time_machine.travel(TODAY, tick=False):
        people = {
            "humas": make_user("humas", "staf_humas"),
            "humas2": make_user("humas2", "staf_humas"),
            "kasubbag": make_user("kasubbag", "kasubbag_umum_rt"),
            "kabag": make_user("kabag", "kabag_adm_umum"),
            "admin": make_user("admin", superuser=True),
            "nobody": make_user("nobody"),
            "plh": make_user("plh"),
        }
        # A superuser who is not staff: all permissions by Django's rule, but no admin site.
        people["root"] = django_user_model.objects.create_user(
            username="root", password="x-test-password", is_superuser=True
        )
        humas = people["humas"]
        case = services.start_case(
            sop=humas_sop,
            subject_type="test.item",
            subject_id=1,
            title="Berita",
            started_by=humas,
        )
        first = open_run(case)
        for _ in range(2):  # record the notes, then edit: the check is next
            services.complete_step(
                case_id=case.pk,
                step_run_id=open_run(case).pk,
                user=humas,
                confirmed=ALL_HUMAS_ARTIFACTS,
            )
        check = open_run(case)
        assert check.role_id == "kasubbag_umum_rt"
        first.refresh_from_db()
        deviation = Deviation.objects.create(
            case=case,
            step_run=first,
            kind=Deviation.Kind.WAKTU,
            detail="Terlambat.",
            attributed_to=humas,
            created_at=timezone.now(),
        )
        delegation = appoint_delegation(
            role_code="kasubbag_umum_rt",
            acting=people["plh"],
            principal=people["kasubbag"],
            starts_on=PLH_FROM,
            ends_on=PLH_UNTIL,
            kind="plh",
            reason="Cuti tahunan",
            appointed_by=people["kasubbag"],
        )
    objects = {
        "check": check,
        "first": first,
        "deviation": deviation,
        "delegation": delegation,
        "humas": humas,
        "sop": humas_sop,
        None: None,
    }
    return people, objects


# (person, permission, object, expected answer of the policy (``may``))
TABLE = [
    # The unit overview: whoever supervises a role, and admins.
    ("kasubbag", "warta.view_unit", None, True),
    ("kabag", "warta.view_unit", None, True),
    ("humas", "warta.view_unit", None, False),
    ("nobody", "warta.view_unit", None, False),
    ("admin", "warta.view_unit", None, True),
    ("plh", "warta.view_unit", None, False),  # not yet: the Plh starts tomorrow
    # The admin site: active staff only, even for a superuser.
    ("admin", "warta.open_admin", None, True),
    ("root", "warta.open_admin", None, False),
    ("kabag", "warta.open_admin", None, False),
    # Starting a case: the role of the SOP's first step (in one's own name or as Plh/Plt).
    ("humas", "workflow.start_case", "sop", True),
    ("kasubbag", "workflow.start_case", "sop", False),
    ("admin", "workflow.start_case", "sop", False),
    ("nobody", "workflow.start_case", "sop", False),
    # Acting on the check: its role, not its author (separation of duties), not an admin.
    ("kasubbag", "workflow.act_on_step", "check", True),
    ("humas", "workflow.act_on_step", "check", False),
    ("kabag", "workflow.act_on_step", "check", False),
    ("admin", "workflow.act_on_step", "check", False),
    ("nobody", "workflow.act_on_step", "check", False),
    ("plh", "workflow.act_on_step", "check", False),
    ("humas", "workflow.act_on_step", "first", False),  # finished
    # Moving the check to someone else: a supervisor of its role (one level up), an admin.
    ("kabag", "workflow.reassign_step", "check", True),
    ("admin", "workflow.reassign_step", "check", True),
    ("kasubbag", "workflow.reassign_step", "check", False),
    ("humas", "workflow.reassign_step", "check", False),
    ("nobody", "workflow.reassign_step", "check", False),
    ("kabag", "workflow.reassign_step", "first", False),  # finished: nothing to move
    # The first step's deviation: its executor explains, supervisors above review.
    ("humas", "workflow.explain_deviation", "deviation", True),
    ("humas2", "workflow.explain_deviation", "deviation", False),
    ("kasubbag", "workflow.explain_deviation", "deviation", False),
    ("admin", "workflow.explain_deviation", "deviation", False),
    ("kasubbag", "workflow.review_deviation", "deviation", True),  # one level up
    ("kabag", "workflow.review_deviation", "deviation", True),  # two levels up
    ("admin", "workflow.review_deviation", "deviation", True),
    ("humas", "workflow.review_deviation", "deviation", False),  # one's own
    ("humas2", "workflow.review_deviation", "deviation", False),
    ("nobody", "workflow.review_deviation", "deviation", False),
    ("humas", "workflow.view_deviation", "deviation", True),
    ("kasubbag", "workflow.view_deviation", "deviation", True),
    ("admin", "workflow.view_deviation", "deviation", True),
    ("humas2", "workflow.view_deviation", "deviation", False),
    ("nobody", "workflow.view_deviation", "deviation", False),
    ("kasubbag", "workflow.view_deviations", None, True),
    ("humas", "workflow.view_deviations", None, False),
    ("humas", "workflow.view_deviations_of", "humas", True),
    ("kasubbag", "workflow.view_deviations_of", "humas", True),
    ("humas2", "workflow.view_deviations_of", "humas", False),
    # Plh/Plt: holders of a role in their own name appoint; admins name anyone's replacement.
    ("humas", "accounts.appoint_plh", None, True),
    ("admin", "accounts.appoint_plh", None, True),
    ("nobody", "accounts.appoint_plh", None, False),
    ("plh", "accounts.appoint_plh", None, False),
    ("admin", "accounts.appoint_plh_for_others", None, True),
    ("kasubbag", "accounts.appoint_plh_for_others", None, False),
    ("kasubbag", "accounts.revoke_delegation", "delegation", True),  # replaced and appointer
    ("admin", "accounts.revoke_delegation", "delegation", True),
    ("kabag", "accounts.revoke_delegation", "delegation", False),
    ("plh", "accounts.revoke_delegation", "delegation", False),
    ("nobody", "accounts.revoke_delegation", "delegation", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "permission", "obj", "expected"), TABLE)
def test_the_table(world, who, permission, obj, expected):
    people, objects = world
    user = people[who]
    with time_machine.travel(TODAY, tick=False):
        assert may(user, permission, objects[obj]) is expected
        # Django answers True to every question of an active superuser; for everyone else,
        # and for an administrator's authority, ``has_perm`` is the policy's answer.
        django_says = expected or (user.is_superuser and user.is_active)
        assert user.has_perm(permission, objects[obj]) is django_says
        if user.is_superuser and permission not in CAPACITIES | {"warta.open_admin"}:
            assert expected, "an administrator's authority is declared by the policy too"


def test_every_permission_is_in_the_table():
    assert {row[1] for row in TABLE} == set(PERMISSIONS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 2), False),  # the day before
        (PLH_FROM, True),
        (PLH_UNTIL, True),
        (dt.date(2026, 12, 5), False),  # the day after
    ],
)
def test_a_plh_holds_the_role_for_the_date_range_only(world, day, expected):
    people, objects = world
    plh = people["plh"]
    with time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=WIB), tick=False):
        assert local_date() == day
        assert plh.has_perm("workflow.act_on_step", objects["check"]) is expected
        assert plh.has_perm("warta.view_unit") is expected
        assert plh.has_perm("workflow.review_deviation", objects["deviation"]) is expected
        assert plh.has_perm("workflow.reassign_step", objects["check"]) is False  # same level


@pytest.mark.django_db
def test_an_acknowledged_deviation_is_not_explained_again(world):
    people, objects = world
    deviation = objects["deviation"]
    deviation.review = Deviation.Review.ACKNOWLEDGED
    assert not people["humas"].has_perm("workflow.explain_deviation", deviation)


@pytest.mark.django_db
def test_a_visitor_may_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    _, objects = world
    visitor = AnonymousUser()
    for _who, permission, obj, _answer in TABLE:
        assert not visitor.has_perm(permission, objects[obj]), permission


# --- the pages ask the policy -----------------------------------------------------------------


@pytest.fixture
def overrule():
    """Replace a permission's predicate for one test, and put it back."""
    replaced: dict[str, rules.Predicate] = {}

    def set_answer(permission: str, answer: bool) -> None:
        replaced.setdefault(permission, PERMISSIONS[permission])
        rules.set_perm(permission, rules.always_allow if answer else rules.always_deny)

    yield set_answer
    for permission, predicate in replaced.items():
        rules.set_perm(permission, predicate)


@pytest.mark.django_db
def test_the_person_page_refuses_when_the_policy_says_no(client, world, overrule):
    people, _ = world
    humas = people["humas"]
    client.force_login(humas)
    url = reverse("workflow:person", args=[humas.pk])
    assert client.get(url).status_code == 200
    overrule("workflow.view_deviations_of", False)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_deviation_list_follows_the_policy(client, world, overrule):
    people, _ = world
    client.force_login(people["humas"])
    url = reverse("workflow:deviations")
    assert client.get(url).status_code == 302  # to one's own page
    overrule("workflow.view_deviations", True)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_deviation_page_shows_and_refuses_what_the_policy_says(client, world, overrule):
    people, objects = world
    deviation = objects["deviation"]
    deviation.explanation, deviation.explained_at = "Kendaraan dinas mogok.", timezone.now()
    deviation.save()
    url = reverse("workflow:deviation", args=[deviation.pk])
    client.force_login(people["kasubbag"])
    assert 'id="review"' in client.get(url).content.decode()

    overrule("workflow.review_deviation", False)
    assert 'id="review"' not in client.get(url).content.decode()
    response = client.post(url, {"decision": "acknowledged"})
    assert response.status_code == 403
    deviation.refresh_from_db()
    assert deviation.review == Deviation.Review.PENDING

    overrule("workflow.view_deviation", False)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_explanation_form_follows_the_policy(client, world, overrule):
    people, objects = world
    url = reverse("workflow:deviation", args=[objects["deviation"].pk])
    client.force_login(people["humas"])
    assert 'id="explain"' in client.get(url).content.decode()
    overrule("workflow.explain_deviation", False)
    assert 'id="explain"' not in client.get(url).content.decode()
    assert client.post(url, {"explanation": "Kendaraan dinas mogok."}).status_code == 403


@pytest.mark.django_db
def test_the_plh_page_asks_the_policy(client, world, overrule):
    people, objects = world
    client.force_login(people["kasubbag"])
    url = reverse("accounts:delegations")
    revoke = reverse("accounts:revoke", args=[objects["delegation"].pk])
    page = client.get(url).content.decode()
    assert 'name="acting"' in page
    assert f'action="{revoke}"' in page

    overrule("accounts.appoint_plh", False)
    overrule("accounts.revoke_delegation", False)
    page = client.get(url).content.decode()
    assert 'name="acting"' not in page
    assert f'action="{revoke}"' not in page
    response = client.post(revoke, follow=True)
    assert "Hanya pejabat yang digantikan" in response.content.decode()
    objects["delegation"].refresh_from_db()
    assert objects["delegation"].revoked_at is None


@pytest.mark.django_db
def test_the_menu_asks_the_policy(client, world, overrule):
    people, _ = world
    client.force_login(people["humas"])
    unit = f'href="{reverse("newsroom:unit")}"'
    assert (
        unit
        not in client.get(reverse("workflow:person", args=[people["humas"].pk])).content.decode()
    )
    overrule("warta.view_unit", True)
    assert (
        unit in client.get(reverse("workflow:person", args=[people["humas"].pk])).content.decode()
    )
