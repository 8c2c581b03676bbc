from django.conf import settings


def identity(request) -> dict:
    """The institution's name and the site address, for every template."""
    return {
        "institution_name": settings.WARTA_INSTITUTION_NAME,
        "institution_parent": settings.WARTA_INSTITUTION_PARENT,
        "site_description": settings.WARTA_SITE_DESCRIPTION,
    }
