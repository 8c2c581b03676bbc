"""Browser tests: Playwright (Python) driving Debian's chromium, headless, against the live
server. Screenshots of every step go to artifacts/screenshots/ at desktop and phone widths."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("WARTA_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PASSWORD = "x-test-password"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def open_browser(browser, live_server):
    """Make a browser context (one person) already signed in as ``username``."""
    contexts = []

    def make(username: str | None = None, *, phone: bool = False):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            base_url=live_server.url,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto("/masuk/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit].btn-primary")
            page.wait_for_url(re.compile(r"/kerja/"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shoot(request):
    """Save a screenshot of ``page`` at desktop and phone widths: artifacts/screenshots/<name>."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    suite = os.environ.get("WARTA_TEST_SUITE", "default")

    def take(page, name: str) -> None:
        original = page.viewport_size
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=str(SHOTS / f"{suite}-{name}-{label}.png"), full_page=True)
        page.set_viewport_size(original)

    return take


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


from tests.newsroom.conftest import new_item, people  # noqa: E402, F401 - shared fixtures
