from django.utils.functional import SimpleLazyObject


def deviation_prompt(request) -> dict:
    """How many deviations the signed-in user must still explain (asked only when shown)."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from warta.workflow.deviations import unexplained_for

        return unexplained_for(user).count()

    return {"deviations_to_explain": SimpleLazyObject(count)}
