from tests.notify.conftest import person, run_worker, smtp_server  # noqa: F401 - shared fixtures
