"""Every page of Warta under load, beside the same bytes served as static files.

    .venv/bin/python bench/http_bench.py [--seconds 10] [--concurrency 1,10,50]

Runs on the database of ``WARTA_DATA_DIR`` / ``WARTA_DATABASE_URL`` as ``bench/generate.py``
left it (it signs the demo people in with the passwords of ``demo-logins.txt``). It starts
``warta web`` — the web server of ``warta serve`` without its task workers, so that nothing
but the measured requests runs — and measures with Debian's ``wrk`` (installed with apt-get
when missing and running as root), per page and per concurrency, requests per second and the
latency's p50 and p95 (from wrk's own histogram, through a small Lua ``done`` hook):

- public: an article, the index (page 1), RSS, Atom, the sitemap, a search (``?q=paspor``);
- newsroom (signed in through ``/masuk/`` like a browser): the inbox and the notifications of a
  Staf Humas, the unit overview and the deviations list of the Kasubbag, an item page, a
  per-person page. These are measured on ``warta web --processes N`` as production runs it:
  ``--processes`` / ``WARTA_BENCH_WEB_PROCESSES``, default the number of CPUs (a second server;
  the public pages stay on one process, like the one-process WhiteNoise they are compared with).

In the same run each public page is fetched once and its bytes are saved as a file, which is
served (1) by WhiteNoise in a tiny WSGI app under waitress with Warta's own server settings
(``warta.serve.server_options``) and (2) by Debian's nginx (installed when missing), so that the
ratios Warta/WhiteNoise and Warta/nginx compare like with like. When nginx is there, the public
pages are also measured through ``deploy/nginx/warta.conf`` with test paths and ports (as
tests/test_nginx_config.py runs it): "Warta behind nginx", the figure issue 12's goal (at least
50 % of nginx's throughput at concurrency 10) is about.

Nothing here asserts a time; it prints a Markdown table. A request that does not answer 2xx
counts as an error and is shown in the table.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, WARTA, free_port, short_run, wait_for_port

SITE = "warta.example.go.id"
NGINX_SAMPLE = ROOT / "deploy/nginx/warta.conf"
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency.max))
end
"""


# --- tools ---------------------------------------------------------------------------------------


def _apt_install(package: str, binary: str) -> str | None:
    found = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print(f"installing Debian's {package} …", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", package],
        check=False,
        capture_output=True,
    )
    return shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def settle(port: int, path: str = "/", *, quick_ms: float = 20.0, timeout: float = 60.0) -> None:
    """Wait until Warta answers ``path`` quickly twice in a row: requests a finished load point
    left queued in the server (50 clients' worth) would otherwise be served during the next
    point and show up as its slowest requests."""
    deadline = time.monotonic() + timeout
    quick = 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
        except OSError:
            time.sleep(0.2)
            continue
        finally:
            connection.close()
        quick = quick + 1 if (time.monotonic() - started) * 1000 < quick_ms else 0


def wrk(
    wrk_binary: str,
    url: str,
    *,
    concurrency: int,
    seconds: float,
    headers: dict[str, str],
    script: Path,
) -> Result:
    command = [
        wrk_binary,
        f"-t{min(concurrency, 2)}",
        f"-c{concurrency}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", done.stdout, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk failed on {url}: {done.stdout}\n{done.stderr}")
    requests, errors, micros, p50, p95, _max = (int(g) for g in match.groups())
    return Result(requests, errors, micros / 1e6, p50 / 1000, p95 / 1000)


# --- a small HTTP client (one person's cookies) --------------------------------------------------


class Client:
    def __init__(self, port: int, host: str = "127.0.0.1", https: bool = False) -> None:
        self.port, self.host, self.https = port, host, https
        self.cookies: dict[str, str] = {}

    def get(
        self,
        path: str,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        if self.https:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=120, context=context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent = {"Host": self.host, "Referer": f"http://{self.host}{path}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            data = raw.read()
            for header in raw.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return raw.status, dict(raw.getheaders()), data
        finally:
            conn.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def log_in(self, username: str, password: str) -> None:
        status, _h, page = self.get("/masuk/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"no sign-in form ({status})")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": username,
                "password": password}  # fmt: skip
        status, _h, page = self.get(
            "/masuk/",
            method="POST",
            body=urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in ({status}): {page[:300]!r}")


# --- servers -------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start(name: str, command: list[str], port: int, work: Path, env: dict[str, str]) -> Server:
    log = work / f"{name}.log"
    process = subprocess.Popen(
        command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(name, process, port, log)
    try:
        wait_for_port(port)
    except RuntimeError:
        server.stop()
        raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}") from None
    return server


def serve_static(directory: str, port: int, threads: int) -> None:
    """The WhiteNoise side: files of ``directory`` under waitress with Warta's settings."""
    from waitress import serve
    from whitenoise import WhiteNoise

    from warta.serve import server_options

    def not_found(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    app = WhiteNoise(not_found, root=directory, autorefresh=False, max_age=60)
    serve(app, **server_options("127.0.0.1", port, threads))


NGINX_MAIN = """{user}daemon off;
worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
{temp}
{servers}
}}
"""


def nginx_config(prefix: Path, servers: str) -> Path:
    temp = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        NGINX_MAIN.format(
            user="user root;\n" if os.geteuid() == 0 else "",
            prefix=prefix,
            temp=temp,
            servers=servers,
        )
    )
    return conf


def warta_site_config(warta_port: int, http_port: int, https_port: int, data_dir: Path,
                      tls: Path) -> str:  # fmt: skip
    """deploy/nginx/warta.conf with test ports, data dir and certificate (as in the tests)."""
    text = NGINX_SAMPLE.read_text()
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{warta_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        (f"/etc/letsencrypt/live/{SITE}/fullchain.pem", str(tls / "cert.pem")),
        (f"/etc/letsencrypt/live/{SITE}/privkey.pem", str(tls / "key.pem")),
        ("/srv/warta/var/", f"{data_dir}/"),
    ]
    for old, new in replacements:
        text = text.replace(old, new)
    text = re.sub(r"^\s*listen \[::\]:\d+[^;]*;\n", "", text, flags=re.MULTILINE)
    # The sample's access log would cost nginx a write per request; the static side has none.
    return text.replace("server_tokens off;", "server_tokens off;\n    access_log off;", 1)


def make_certificate(tls: Path) -> None:
    tls.mkdir(exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={SITE}", "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
        check=True,
        capture_output=True,
    )  # fmt: skip


# --- the pages -----------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    user: str | None  # signed in as
    static_name: str | None  # the file it is saved as (public pages)


def find_pages(data_dir: Path) -> tuple[list[Page], dict[str, str]]:
    """The pages to measure, with real ids and slugs from the database, and the passwords."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from warta.demo.people import demo_people
    from warta.newsroom.models import NewsItem
    from warta.workflow.models import Deviation

    logins = (data_dir / "demo-logins.txt").read_text()
    passwords = dict(re.findall(r"^\s+(\S+)\s+sandi: (\S+)", logins, re.MULTILINE))
    roles = {person.username: person.role for person in demo_people()}
    users = get_user_model().objects.in_bulk(field_name="username")
    # The busiest writer (most items) and the supervisor of the writers' role.
    writer_name = (
        NewsItem.objects.values("created_by__username")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("created_by__username", flat=True)
        .first()
    )
    item = NewsItem.objects.filter(created_by__username=writer_name).order_by("-pk").first()
    published = NewsItem.objects.filter(published_at__isnull=False).order_by("-published_at")
    article = published.first()
    supervisor = _supervisor_of(item, roles, users) or writer_name
    deviant = (
        Deviation.objects.values("attributed_to_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("attributed_to_id", flat=True)
        .first()
    ) or users[writer_name].pk
    pages = [
        Page("public article", f"/berita/{article.slug}/", None, "article.html"),
        Page("public index, page 1", "/", None, "index.html"),
        Page("RSS", "/feed/rss/", None, "rss.xml"),
        Page("Atom", "/feed/atom/", None, "atom.xml"),
        Page("sitemap.xml", "/sitemap.xml", None, "sitemap.xml"),
        Page("search ?q=paspor", "/?q=paspor", None, "search.html"),
        Page("inbox (Staf Humas)", "/kerja/", writer_name, None),
        Page("unit overview", "/kerja/unit/", supervisor, None),
        Page("item page", f"/kerja/berita/{item.pk}/", writer_name, None),
        Page("deviations list", "/kerja/penyimpangan/", supervisor, None),
        Page("per-person page", f"/kerja/penyimpangan/orang/{deviant}/", supervisor, None),
        Page("notifications", "/kerja/notifikasi/", writer_name, None),
    ]
    return pages, passwords


def _supervisor_of(item, roles, users) -> str | None:
    definition = item.case.sop.definition()
    writer_role = roles.get(item.created_by.username)
    supervisor_role = definition.role(writer_role).supervisor if writer_role else None
    return next(
        (name for name, role in roles.items() if role == supervisor_role and name in users), None
    )


# --- the run -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    short = short_run()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1 if short else 10)
    parser.add_argument("--concurrency", default="1,10" if short else "1,10,50")
    parser.add_argument("--threads", type=int, default=None, help="waitress threads (Warta's)")
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("WARTA_BENCH_WEB_PROCESSES", os.cpu_count() or 1)),
        help="web server processes for the newsroom pages (default: WARTA_BENCH_WEB_PROCESSES "
        "or the number of CPUs)",
    )
    parser.add_argument("--pages", default="", help="only pages whose name contains this")
    args = parser.parse_args(argv)
    levels = [int(c) for c in args.concurrency.split(",")]
    processes = max(1, args.processes)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from warta.serve import DEFAULT_THREADS

    threads = args.threads or int(os.environ.get("WARTA_WEB_THREADS", DEFAULT_THREADS))
    data_dir = Path(settings.DATA_DIR)
    pages, passwords = find_pages(data_dir)
    if args.pages:
        pages = [page for page in pages if args.pages in page.name]
    vendor = connection.vendor
    connection.close()

    wrk_binary = _apt_install("wrk", "wrk")
    if not wrk_binary:
        sys.exit("wrk is missing: apt-get install wrk (Debian), then run again")
    nginx_binary = _apt_install("nginx", "nginx")

    work = Path(tempfile.mkdtemp(prefix="warta-http-bench-"))
    script = work / "report.lua"
    script.write_text(WRK_SCRIPT)
    env = {
        **os.environ,
        "WARTA_TRUSTED_PROXIES": "127.0.0.1",
        "WARTA_ALLOWED_HOSTS": f"127.0.0.1,localhost,{SITE}",
        "WARTA_WEB_THREADS": str(threads),
    }
    servers: list[Server] = []
    try:
        warta_port = free_port()
        servers.append(
            start("warta", [WARTA, "web", "--port", str(warta_port)], warta_port, work, env)
        )
        # The signed-in pages on their own server with `processes` processes (the same one when
        # that is 1).
        newsroom_port = warta_port
        if processes > 1 and any(page.user for page in pages):
            newsroom_port = free_port()
            command = [WARTA, "web", "--port", str(newsroom_port), "--processes", str(processes)]
            servers.append(start("warta-newsroom", command, newsroom_port, work, env))
        clients: dict[str | None, Client] = {None: Client(warta_port)}
        for page in pages:
            if page.user and page.user not in clients:
                client = Client(newsroom_port)
                client.log_in(page.user, passwords[page.user])
                clients[page.user] = client
        # The sitemap in its index form: its first part is measured too.
        _status, _headers, index = clients[None].get("/sitemap.xml")
        parts = re.findall(rb"<loc>https?://[^/<]+(/[^<]*)</loc>", index)
        if b"<sitemapindex" in index and parts and (not args.pages or args.pages in "sitemap part"):
            # The largest part (the articles', not the home page's).
            sized = [(len(clients[None].get(p.decode())[2]), p.decode()) for p in parts]
            where = next(n for n, p in enumerate(pages) if p.path == "/sitemap.xml") + 1
            path = max(sized)[1].replace("&amp;", "&")
            pages.insert(where, Page("sitemap part (largest)", path, None, "sitemap-part.xml"))
        # The same bytes as files.
        static_dir = work / "static"
        static_dir.mkdir()
        sizes = {}
        for page in pages:
            status, _headers, body = clients[page.user].get(page.path)
            sizes[page.name] = len(body)
            if status != 200:
                print(f"warning: {page.path} answered {status}", flush=True)
            if page.static_name:
                (static_dir / page.static_name).write_bytes(body)
        wn_port = free_port()
        servers.append(
            start(
                "whitenoise",
                [
                    sys.executable,
                    __file__,
                    "--serve-static",
                    str(static_dir),
                    str(wn_port),
                    str(threads),
                ],
                wn_port,
                work,
                env,
            )
        )
        nginx_port = behind_port = None
        if nginx_binary:
            prefix = work / "nginx"
            prefix.mkdir()
            make_certificate(work / "tls")
            nginx_port, behind_port, plain_port = free_port(), free_port(), free_port()
            tls_port = free_port()
            site = warta_site_config(warta_port, plain_port, behind_port, data_dir, work / "tls")
            # The same bytes by nginx over plain HTTP and, like Warta's site, over HTTPS.
            static_server = (
                f"    server {{\n        listen 127.0.0.1:{nginx_port};\n"
                f"        root {static_dir};\n    }}\n"
                f"    server {{\n        listen 127.0.0.1:{tls_port} ssl;\n"
                f"        ssl_certificate {work / 'tls' / 'cert.pem'};\n"
                f"        ssl_certificate_key {work / 'tls' / 'key.pem'};\n"
                f"        root {static_dir};\n    }}\n"
            )
            conf = nginx_config(prefix, static_server + site)
            servers.append(
                start(
                    "nginx",
                    [nginx_binary, "-p", str(prefix), "-c", str(conf), "-e", "stderr"],
                    nginx_port,
                    work,
                    env,
                )
            )
            wait_for_port(behind_port)
        else:
            print("nginx is missing (apt-get install nginx): no nginx columns", flush=True)

        print(
            f"\n{vendor}, warta web with {threads} threads, newsroom pages on {processes} "
            f"process(es) (public pages on 1), wrk {args.seconds:g} s per point, "
            f"{os.cpu_count()} CPUs\n",
            flush=True,
        )
        header = (
            "| page | KB | clients | Warta req/s | p50 ms | p95 ms | errors | WhiteNoise req/s "
            "| nginx req/s | Warta/WhiteNoise | Warta/nginx | behind nginx req/s "
            "| behind/nginx | nginx HTTPS req/s | behind/nginx HTTPS |"
        )
        print(header)
        print("|---|" + "---:|" * 14)
        for page in pages:
            for level in levels:
                client = clients[page.user]
                headers = {"Host": "127.0.0.1"}
                if page.user:
                    headers["Cookie"] = client.cookie_header()
                port = client.port
                settle(port)
                warta = wrk(
                    wrk_binary, f"http://127.0.0.1:{port}{page.path}",
                    concurrency=level, seconds=args.seconds, headers=headers, script=script,
                )  # fmt: skip
                cells = [
                    page.name,
                    f"{sizes[page.name] / 1024:.1f}",
                    str(level),
                    f"{warta.rps:,.0f}",
                    f"{warta.p50_ms:.1f}",
                    f"{warta.p95_ms:.1f}",
                    str(warta.errors),
                ]
                if page.static_name:
                    static_path = f"/{page.static_name}"
                    wn = wrk(
                        wrk_binary, f"http://127.0.0.1:{wn_port}{static_path}",
                        concurrency=level, seconds=args.seconds, headers={}, script=script,
                    )  # fmt: skip
                    cells.append(f"{wn.rps:,.0f}")
                    if nginx_port:
                        ng = wrk(
                            wrk_binary, f"http://127.0.0.1:{nginx_port}{static_path}",
                            concurrency=level, seconds=args.seconds, headers={}, script=script,
                        )  # fmt: skip
                        ng_tls = wrk(
                            wrk_binary, f"https://127.0.0.1:{tls_port}{static_path}",
                            concurrency=level, seconds=args.seconds, headers={}, script=script,
                        )  # fmt: skip
                        settle(warta_port)
                        behind = wrk(
                            wrk_binary, f"https://127.0.0.1:{behind_port}{page.path}",
                            concurrency=level, seconds=args.seconds, headers={"Host": SITE},
                            script=script,
                        )  # fmt: skip
                        cells += [
                            f"{ng.rps:,.0f}",
                            _ratio(warta.rps, wn.rps),
                            _ratio(warta.rps, ng.rps),
                            f"{behind.rps:,.0f}"
                            + (f" ({behind.errors} err)" if behind.errors else ""),
                            _ratio(behind.rps, ng.rps),
                            f"{ng_tls.rps:,.0f}",
                            _ratio(behind.rps, ng_tls.rps),
                        ]
                    else:
                        cells += ["—", _ratio(warta.rps, wn.rps), "—", "—", "—", "—", "—"]
                else:
                    cells += ["—"] * 8
                print("| " + " | ".join(cells) + " |", flush=True)
        for server in servers:
            errors = _errors_in_log(server.log) if server.name.startswith("warta") else 0
            if errors:
                print(f"\n{server.name}'s log has {errors} lines with 5xx answers ({server.log})")
    finally:
        for server in reversed(servers):
            server.stop()
        if not os.environ.get("WARTA_BENCH_KEEP"):  # set it to keep the logs and the files
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _ratio(a: float, b: float) -> str:
    return f"{100 * a / b:.1f} %" if b else "—"


def _errors_in_log(log: Path) -> int:
    return sum(
        1
        for line in log.read_text(errors="replace").splitlines()
        if re.search(r" 5\d\d \d+ ms$", line)
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve-static":
        serve_static(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(main())
