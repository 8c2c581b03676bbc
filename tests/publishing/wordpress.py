"""A real WordPress for the connector tests: Debian's ``wordpress`` tree, served by ``php -S``.

The session fixture ``wordpress`` copies the tree into a temporary directory, writes its own
``wp-config.php`` (Debian's looks for ``/etc/wordpress/config-*.php``; this one must not), creates
a MariaDB database of its own (named after the test suite and the process, so the SQLite and
PostgreSQL suites running side by side never share one), installs WordPress with
``wp_install()``, creates an Editor with an application password and an Author for the author
mapping, and serves the copy on a free port. Teardown stops the server by its process group
and drops the database.

It skips only when ``php`` or the WordPress tree is missing and ``WARTA_REQUIRE_WORDPRESS`` is
not "1" (``scripts/test.sh`` sets it, so CI cannot skip silently). A missing MariaDB server is
an error, not a skip.

Use it from a test module with ``from tests.publishing.wordpress import wordpress_site``
(the fixture's name is ``wordpress``). ``WARTA_KEEP_WORDPRESS=1`` keeps the copy and its logs
(``server.log``, ``php-error.log``) for a post-mortem.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from warta.publishing.platforms.base import AccountConfig

WORDPRESS_TREE = Path(os.environ.get("WARTA_WORDPRESS_TREE", "/usr/share/wordpress"))
DB_HOST = os.environ.get("WARTA_WORDPRESS_DB_HOST", "127.0.0.1")
DB_PORT = int(os.environ.get("WARTA_WORDPRESS_DB_PORT", "3306"))
# The built-in server reads upload limits from php.ini; photos and videos need more than 2 MB.
PHP_OPTIONS = (
    "-d",
    "upload_max_filesize=64M",
    "-d",
    "post_max_size=64M",
    "-d",
    "memory_limit=256M",
    "-d",
    "display_errors=0",
    "-d",
    "log_errors=1",
)
EDITOR = "warta"
_LINKED = ("wp-includes",)
AUTHOR = "penulis"


@dataclass
class WordPressSite:
    """A running WordPress and what a test needs to talk to it."""

    url: str
    root: Path  # the document root (the copied tree)
    work: Path  # the temporary directory holding it, the scripts and the logs
    db_name: str
    username: str
    application_password: str
    application_password_uuid: str
    user_id: int
    author_login: str
    author_id: int
    setup_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def rest(self, method: str, route: str, *, auth: tuple[str, str] | None = None, **kwargs):
        """One request to the REST API (plain permalinks: ``?rest_route=``) as the Editor."""
        params = {"rest_route": route, **kwargs.pop("params", {})}
        return httpx.request(
            method,
            self.url + "/",
            params=params,
            auth=auth or (self.username, self.application_password),
            timeout=30,
            **kwargs,
        )

    def read(self, route: str, **params) -> dict:
        """A REST resource as JSON in the edit context (raw fields included)."""
        response = self.rest("GET", route, params={"context": "edit", **params})
        response.raise_for_status()
        return response.json()

    def read_post(self, post_id: int | str) -> dict:
        return self.read(f"/wp/v2/posts/{post_id}")

    def read_media(self, media_id: int | str) -> dict:
        return self.read(f"/wp/v2/media/{media_id}")

    def account(self, **options: str) -> AccountConfig:
        """A channel account of this site, as the worker would build it."""
        credentials = {
            "username": options.pop("username", self.username),
            "application_password": options.pop("application_password", self.application_password),
        }
        return AccountConfig(
            code="wp-test",
            name="WordPress test site",
            platform="wordpress",
            base_url=options.pop("base_url", self.url),
            credentials=credentials,
            options=options,
        )

    def php(self, code: str) -> str:
        """Run PHP ``code`` with WordPress loaded (as WP-CLI would); its output."""
        return _run_php(self.root, self.work, code)

    def new_application_password(self, name: str, login: str = EDITOR) -> tuple[str, str]:
        """A fresh application password of user ``login``: (password, uuid)."""
        created = json.loads(self.php(_new_password_php(login, name)))
        return created["password"], created["uuid"]


def _php_binary() -> str | None:
    return shutil.which("php")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mysql(sql: str) -> None:
    client = shutil.which("mariadb") or shutil.which("mysql")
    if not client:
        raise RuntimeError("the mariadb/mysql command-line client is not installed")
    subprocess.run(
        [client, "--protocol=TCP", "-h", DB_HOST, "-P", str(DB_PORT), "-u", "root", "-e", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _database_name() -> str:
    suite = re.sub(r"[^a-z0-9]", "_", os.environ.get("WARTA_TEST_SUITE", "dev").lower())
    return f"warta_wp_{suite}_{os.getpid()}"[:64]


def _php_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _config(*, root: Path, url: str, db_name: str) -> str:
    salts = "\n".join(
        f"define({_php_string(name)}, {_php_string(secrets.token_urlsafe(48))});"
        for name in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    return f"""<?php
// Written by tests/publishing/wordpress.py; not Debian's configuration.
define('DB_NAME', {_php_string(db_name)});
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', {_php_string(f"{DB_HOST}:{DB_PORT}")});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
{salts}
define('WP_HOME', {_php_string(url)});
define('WP_SITEURL', {_php_string(url)});
// Application passwords need HTTPS unless the environment is "local".
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);
@ini_set('display_errors', '0');
error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);
if (!defined('ABSPATH')) {{
    define('ABSPATH', {_php_string(str(root) + "/")});
}}
define('WP_CONTENT_DIR', {_php_string(str(root / "wp-content"))});
require_once ABSPATH . 'wp-settings.php';
"""


def _run_php(root: Path, work: Path, code: str, *, installing: bool = False) -> str:
    script = work / f"snippet-{secrets.token_hex(4)}.php"
    prelude = "<?php\n$_SERVER['HTTP_HOST'] = parse_url(WP_HOME_URL, PHP_URL_HOST);\n"
    if installing:
        prelude += "define('WP_INSTALLING', true);\n"
    script.write_text(
        prelude.replace("WP_HOME_URL", _php_string((work / "url").read_text()))
        + f"require {_php_string(str(root / 'wp-load.php'))};\n"
        + code
    )
    try:
        done = subprocess.run(
            [_php_binary() or "php", *PHP_OPTIONS, str(script)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        script.unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"PHP failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    return done.stdout


def _new_password_php(login: str, name: str) -> str:
    return f"""
$user = get_user_by('login', {_php_string(login)});
$created = WP_Application_Passwords::create_new_application_password(
    $user->ID, array('name' => {_php_string(name)})
);
if (is_wp_error($created)) {{ fwrite(STDERR, $created->get_error_message()); exit(1); }}
echo json_encode(array('password' => $created[0], 'uuid' => $created[1]['uuid']));
"""


def _install_php(admin_password: str) -> str:
    # wp_new_blog_notification is pluggable: defined here, install sends no mail.
    return f"""
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password) {{}}
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$installed = wp_install('Warta test site', 'admin', 'admin@example.test', false, '',
    {_php_string(admin_password)}, '');
if (is_wp_error($installed) || empty($installed['user_id'])) {{
    fwrite(STDERR, 'wp_install failed'); exit(1);
}}
$ids = array();
foreach (array(array({_php_string(EDITOR)}, 'editor'), array({_php_string(AUTHOR)}, 'author'))
        as $person) {{
    $id = wp_insert_user(array(
        'user_login' => $person[0], 'user_pass' => wp_generate_password(24),
        'user_email' => $person[0] . '@example.test', 'display_name' => ucfirst($person[0]),
        'role' => $person[1],
    ));
    if (is_wp_error($id)) {{ fwrite(STDERR, $id->get_error_message()); exit(1); }}
    $ids[$person[0]] = $id;
}}
$created = WP_Application_Passwords::create_new_application_password(
    $ids[{_php_string(EDITOR)}], array('name' => 'Warta')
);
if (is_wp_error($created)) {{ fwrite(STDERR, $created->get_error_message()); exit(1); }}
echo json_encode(array('users' => $ids, 'password' => $created[0], 'uuid' => $created[1]['uuid']));
"""


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"php -S exited ({server.returncode}): {log.read_text()[-2000:]}")
        try:
            response = httpx.get(url + "/", params={"rest_route": "/"}, timeout=5)
            if response.status_code == 200 and "wp/v2" in response.json().get("namespaces", []):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"WordPress did not answer at {url}: {log.read_text()[-2000:]}")


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and its workers: it was started as the leader of its own group."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def _copy_tree(source: Path, target: Path) -> None:
    """Copy the WordPress tree, except ``wp-includes`` (46 of its 56 MB), which is linked:
    WordPress finds it through ``ABSPATH`` (the copy), and nothing in it looks for
    ``wp-config.php`` relative to its own real place (only the multisite file server,
    ``ms-files.php``, does). ``wp-admin`` is copied because its pages load
    ``dirname(__DIR__) . '/wp-load.php'``.

    Debian links some files to other packages with relative links that would dangle in the
    copy: they become absolute; links to nothing (.htaccess → /etc/wordpress/htaccess) are
    dropped."""
    shutil.copytree(
        source,
        target,
        symlinks=True,
        ignore=lambda folder, names: _LINKED if folder == str(source) else (),
    )
    for name in _LINKED:
        (target / name).symlink_to((source / name).resolve(), target_is_directory=True)
    # os.walk does not enter the linked wp-includes: only the copy is touched.
    for folder, dirs, files in os.walk(target):
        for name in dirs + files:
            link = Path(folder, name)
            if not link.is_symlink() or (link.parent == target and name in _LINKED):
                continue
            pointed = (source / link.relative_to(target)).resolve()
            link.unlink()
            if pointed.exists():
                link.symlink_to(pointed)


def _missing() -> str:
    if not _php_binary():
        return "php is not installed (apt-get install php-cli php-mysql)"
    if not (WORDPRESS_TREE / "wp-settings.php").is_file():
        return f"no WordPress tree at {WORDPRESS_TREE} (apt-get install wordpress)"
    return ""


@pytest.fixture(scope="session", name="wordpress")
def wordpress_site() -> Iterator[WordPressSite]:
    """A freshly installed WordPress on a free port, for the whole test session."""
    missing = _missing()
    if missing:
        if os.environ.get("WARTA_REQUIRE_WORDPRESS") == "1":
            pytest.fail(f"WARTA_REQUIRE_WORDPRESS=1 but {missing}")
        pytest.skip(f"no real WordPress to test against: {missing}")

    started = time.monotonic()
    timings: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="warta-wordpress-"))
    root = work / "site"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    (work / "url").write_text(url)
    db_name = _database_name()
    server = None
    created_db = False
    try:
        mark = time.monotonic()
        _copy_tree(WORDPRESS_TREE, root)
        (root / "wp-config.php").write_text(_config(root=root, url=url, db_name=db_name))
        timings["copy"] = time.monotonic() - mark

        mark = time.monotonic()
        _mysql(f"DROP DATABASE IF EXISTS `{db_name}`; CREATE DATABASE `{db_name}`")
        created_db = True
        installed = json.loads(
            _run_php(root, work, _install_php(secrets.token_urlsafe(16)), installing=True)
        )
        timings["install"] = time.monotonic() - mark

        mark = time.monotonic()
        log = work / "server.log"
        server = subprocess.Popen(
            [
                _php_binary() or "php",
                *PHP_OPTIONS,
                "-d",
                f"error_log={work / 'php-error.log'}",
                "-S",
                f"127.0.0.1:{port}",
                "-t",
                str(root),
            ],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
            start_new_session=True,
        )
        _wait_until_up(url, server, log, time.monotonic() + 30)
        timings["serve"] = time.monotonic() - mark

        yield WordPressSite(
            url=url,
            root=root,
            work=work,
            db_name=db_name,
            username=EDITOR,
            application_password=installed["password"],
            application_password_uuid=installed["uuid"],
            user_id=int(installed["users"][EDITOR]),
            author_login=AUTHOR,
            author_id=int(installed["users"][AUTHOR]),
            setup_seconds=time.monotonic() - started,
            timings=timings,
        )
    finally:
        if server is not None:
            _stop(server)
        if created_db:
            _mysql(f"DROP DATABASE IF EXISTS `{db_name}`")
        if os.environ.get("WARTA_KEEP_WORDPRESS") == "1":
            print(f"WordPress files and logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
