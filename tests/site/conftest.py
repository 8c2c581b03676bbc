from tests.newsroom.conftest import _media_root, new_item, people  # noqa: F401
