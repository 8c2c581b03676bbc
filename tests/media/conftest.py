"""The newsroom's people and item factory, for the media tests that go through the newsroom."""

from tests.newsroom.conftest import new_item, people  # noqa: F401 - shared fixtures
