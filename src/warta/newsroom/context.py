from django.utils.functional import SimpleLazyObject

from warta.newsroom.access import sees_unit


def navigation(request) -> dict:
    """Whether the menu shows the unit overview (evaluated only when a template asks)."""
    user = getattr(request, "user", None)
    return {"sees_unit": SimpleLazyObject(lambda: bool(user and sees_unit(user)))}
