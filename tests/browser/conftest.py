"""Browser tests: Playwright (Python) driving Debian's chromium, headless, against the live
server. Screenshots of every step go to artifacts/screenshots/ at desktop and phone widths.

The Content-Security-Policy is enforced as in production, and every test fails (at teardown) if
any page reported a violation: a ``securitypolicyviolation`` event or a "Refused to …" /
"Content Security Policy" message in the console."""

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


# Reports every violation to the test through a binding; added to each page before its scripts.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__wartaCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.href}:${event.lineNumber} ` +
    `(${(event.sample || "").slice(0, 80)})`
  );
});
"""
CSP_CONSOLE = re.compile(r"Refused to|Content[- ]Security[- ]Policy", re.IGNORECASE)


class CspViolations(list):
    """Violations seen by the browser contexts of one test."""

    def watch(self, context) -> None:
        context.expose_binding(
            "__wartaCspViolation", lambda source, text: self.append(f"{source['page'].url}: {text}")
        )
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self.console)

    def console(self, message) -> None:
        if CSP_CONSOLE.search(message.text):
            self.append(f"console: {message.text}")


@pytest.fixture
def csp_violations():
    """The CSP violations of this test's browser pages; any at all fails the test at teardown."""
    violations = CspViolations()
    yield violations
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def open_browser(browser, live_server, csp_violations):
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
        csp_violations.watch(context)
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
