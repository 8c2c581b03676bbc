"""Publishing tests use the newsroom's people and item factory."""

import pytest
from django.utils import translation

from tests.newsroom.conftest import _media_root, new_item, people  # noqa: F401


@pytest.fixture(autouse=True)
def _connector_messages_in_english(request):
    """The connectors' contract tests read their messages in the msgids' language (English);
    the product's default language, Indonesian, is tested by the pages' tests."""
    if request.module.__name__.rsplit(".", 1)[-1].startswith("test_platform_"):
        with translation.override("en"):
            yield
    else:
        yield
