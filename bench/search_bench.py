"""The public search at ten years: full-text index against the old ``icontains`` query
(issue 12, point 2).

    .venv/bin/python bench/search_bench.py

Fills a fresh SQLite database (WAL, in a temporary data dir) and — when reachable — a fresh
PostgreSQL database (WARTA_BENCH_POSTGRES_URL, default
``postgres://postgres@127.0.0.1:5432/warta_bench_search``; it is dropped and created) with
WARTA_BENCH_ITEMS (default 18,000: ten years of an active Humas office) published news items
of realistic Indonesian text (about 350 words in 5–7 paragraphs, an immigration office's topics,
people and places). WARTA_BENCH_DATABASES=sqlite (or postgres) runs only one of them.

**Shortcut:** the items are written as rows in bulk (``bulk_create`` with a publication time
and a web address), bypassing the SOP's services, which would take hours for 18,000 items and
change nothing the search reads. The index is then built by the real code
(``warta.search.services.rebuild``, what ``warta search rebuild`` runs), and timed.

Each query then runs as the public index page runs it — ``Paginator(search_published(q), 10)``
page 1: the count and the ten rows — WARTA_BENCH_REPEAT times (default 30), and the same with
the old query (``title__icontains | body__icontains``, fewer times: it is slow). Prints p50 and
p95 per query and over all, the query plans of both, and the time of ``suggest`` on typos.
Goal: p95 under 50 ms on both databases.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

from _common import run_per_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/warta_bench_search"
PER_PAGE = 10

# The queries people type: common words, rare ones, two or three words, a prefix being typed,
# a place with an accent, words that are in no item (and typos, for "did you mean").
QUERIES = [
    "paspor",
    "imigrasi",
    "layanan paspor",
    "wisuda taruna",
    "deportasi warga negara asing",
    "pasp",
    "Sumbáwa",
    "pengawasan orang asing kupang",
    "politeknik",
    "sosialisasi",
    "rapat koordinasi timpora",
    "zzzz tidak ada",
]
TYPOS = ["pasport", "imigrsi", "deportsi warga", "sosialiasi", "wisda taruna"]


def _words(text: str) -> list[str]:
    return text.split()


PLACES = _words(
    "Jakarta Bandung Surabaya Medan Makassar Denpasar Kupang Mataram Sumbawa Sumbáwa Batam "
    "Pontianak Manado Jayapura Ambon Palembang Padang Pekanbaru Tangerang Depok Bogor Cilacap "
    "Entikong Atambua Nunukan Tarakan Merauke Sorong Banda Aceh Yogyakarta Semarang Solo"
)
FIRST = _words("Sari Budi Rina Agus Dewi Andi Siti Hendra Putri Rudi Wulan Yusuf Ayu Bambang Fitri")
LAST = _words("Wulandari Santoso Kartika Prasetyo Lestari Hidayat Nugroho Saputra Rahayu Siregar")
TOPICS = [
    ("Layanan paspor", "paspor elektronik antrean pemohon loket layanan dokumen perjalanan"),
    ("Wisuda taruna", "taruna wisuda politeknik angkatan lulusan ijazah orang tua upacara"),
    ("Pengawasan orang asing", "pengawasan orang asing timpora izin tinggal operasi gabungan"),
    ("Deportasi", "deportasi warga negara asing pelanggaran izin tinggal detensi rudenim"),
    ("Sosialisasi", "sosialisasi masyarakat desa pekerja migran prosedural calon"),
    ("Rapat koordinasi", "rapat koordinasi instansi kepolisian pemerintah daerah kesepakatan"),
    ("Kuliah umum", "kuliah umum dosen mahasiswa narasumber materi keimigrasian diskusi"),
    ("Pelantikan pejabat", "pelantikan pejabat sumpah jabatan integritas zona reformasi"),
    ("Bakti sosial", "bakti sosial donor darah santunan panti warga peduli"),
    ("Pemeriksaan perlintasan", "pemeriksaan perlintasan bandara pelabuhan pos lintas batas"),
]
FILLER = _words(
    "yang dan di dengan untuk dalam pada ini itu oleh dari ke sebagai juga akan telah serta "
    "para kegiatan pelaksanaan peningkatan pelayanan publik kantor wilayah kementerian hukum "
    "hak asasi manusia imigrasi direktorat jenderal petugas pegawai seluruh jajaran kepala bagian "
    "kerja sama program tahun anggaran berjalan lancar tertib aman kondusif mendukung upaya "
    "memberikan menyampaikan menjelaskan mengatakan berharap diharapkan mampu meningkatkan "
    "kualitas informasi transparan akuntabel berintegritas profesional modern humas"
)


def _sentence(rng: random.Random, topic_words: list[str], place: str) -> str:
    words = rng.choices(FILLER, k=rng.randint(9, 16)) + rng.sample(topic_words, 2)
    rng.shuffle(words)
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), place)
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 2500)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def news_text(rng: random.Random) -> tuple[str, str]:
    """A title and an HTML body of about 350 words."""
    topic, words = rng.choice(TOPICS)
    topic_words = words.split()
    place = rng.choice(PLACES)
    title = f"{topic} di {place}: {' '.join(rng.sample(topic_words, 3))}"
    paragraphs = []
    for _ in range(rng.randint(5, 7)):
        sentences = [_sentence(rng, topic_words, place) for _ in range(rng.randint(3, 4))]
        paragraphs.append("<p>" + " ".join(sentences) + "</p>")
    return title[:200], "".join(paragraphs)


def fill(total: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from warta.newsroom.models import NewsItem

    rng = random.Random(12)
    author = get_user_model().objects.create_user("bench-author")
    start = timezone.now() - dt.timedelta(days=3650)
    step = dt.timedelta(days=3650) / total
    batch = []
    for n in range(total):
        title, body = news_text(rng)
        when = start + step * n
        batch.append(
            NewsItem(
                title=title,
                activity_name=title[:200],
                activity_at=when,
                place="Aula",
                covered_by="Tim Humas",
                body=body,
                slug=f"berita-{n}",
                published_at=when,
                created_by=author,
                created_at=when,
                updated_at=when,
            )
        )
        if len(batch) == 2000:
            NewsItem.objects.bulk_create(batch)
            batch = []
    NewsItem.objects.bulk_create(batch)


def timed(fn, repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` calls; this process's CPU milliseconds of each
    appended to ``cpu`` (on SQLite that is all the work: the database runs in the process, so
    it does not count the time spent waiting for a CPU on a busy machine)."""
    samples = []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - began_cpu) * 1000)
    return samples


def backend_cpu_ms(connection) -> float:
    """PostgreSQL on this machine: CPU time the connection's server process used so far
    (``/proc/<pid>/stat``, in clock ticks of 10 ms: read it around many runs)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def server_ms(adapter, connection, queryset) -> float:
    """PostgreSQL: the server's own execution time of the page-1 query and the count (EXPLAIN
    ANALYZE, median of 5), without the client's share and the network."""
    import re

    page_sql, page_params = queryset[:PER_PAGE].query.get_compiler(connection=connection).as_sql()
    query = queryset.query.chain()
    query.clear_ordering(force=True)
    count_sql, count_params = query.get_compiler(connection=connection).as_sql()
    count_sql = f"SELECT COUNT(*) FROM ({count_sql}) AS counted"
    runs = []
    for _ in range(5):
        total = 0.0
        for sql, params in ((page_sql, page_params), (count_sql, count_params)):
            plan = adapter.explain(connection, sql, params)
            total += float(re.search(r"Execution Time: ([\d.]+)", plan).group(1))
        runs.append(total)
    return statistics.median(runs)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def page_one(queryset):
    from django.core.paginator import Paginator

    def run():
        page = Paginator(queryset, PER_PAGE).get_page(1)
        return list(page.object_list)

    return run


def child(database: str) -> None:
    from bench._common import setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from warta.config import datadir

    datadir.prepare(settings.DATA_DIR)
    call_command("migrate", verbosity=0, interactive=False)

    from warta.publishing.selectors import published_items
    from warta.search.adapters import adapter_for
    from warta.search.selectors import search_published, suggest
    from warta.search.services import rebuild

    total = int(os.environ.get("WARTA_BENCH_ITEMS", "18000"))
    repeat = int(os.environ.get("WARTA_BENCH_REPEAT", "30"))
    began = time.perf_counter()
    fill(total)
    made = time.perf_counter() - began
    began = time.perf_counter()
    indexed = rebuild()
    rebuilt = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # adapter: PostgreSQL only (statistics for plans)
    print(f"\n== {database}: {total:,} items made in {made:.1f} s")
    print(f"search rebuild: {indexed:,} items in {rebuilt:.1f} s")
    print("load average before the queries: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    def old(q: str):
        return published_items().filter(Q(title__icontains=q) | Q(body__icontains=q))

    adapter = adapter_for(connection)
    postgres = connection.vendor == "postgresql"
    rows = []
    all_new, all_old, all_cpu = [], [], []
    for q in QUERIES:
        new_qs = search_published(q)
        hits = new_qs.count()
        page_one(new_qs)()  # warm
        cpu: list[float] = []
        server_before = backend_cpu_ms(connection) if postgres else 0.0
        new = timed(page_one(new_qs), repeat, cpu)
        if postgres:  # the client's CPU time of each run plus the server's, on average
            server_cpu = (backend_cpu_ms(connection) - server_before) / repeat
            cpu = [statistics.mean(cpu) + server_cpu]
        old_qs = old(q)
        old_hits = old_qs.count()
        was = timed(page_one(old_qs), max(3, repeat // 6))
        all_new += new
        all_old += was
        all_cpu += cpu
        server = server_ms(adapter, connection, new_qs) if postgres else float("nan")
        rows.append(
            (q, hits, old_hits, statistics.median(new), p95(new), p95(cpu), server, p95(was))
        )

    cpu_name = "cpu mean" if postgres else "cpu p95"
    print(
        f"\n{'query':32} {'hits':>6} {'old hits':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{cpu_name:>9} {'server ms':>9} {'old p95':>9}"
    )
    for q, hits, old_hits, p50, p95_new, cpu_ms, server, p95_old in rows:
        print(
            f"{q:32} {hits:6,} {old_hits:8,} {p50:8.1f} {p95_new:8.1f} {cpu_ms:9.1f} "
            f"{server:9.1f} {p95_old:9.1f}"
        )
    print(
        f"{'ALL':32} {'':6} {'':8} {statistics.median(all_new):8.1f} {p95(all_new):8.1f} "
        f"{p95(all_cpu):9.1f} {'':9} {p95(all_old):9.1f}"
    )
    print(f"search p95 over all queries: {p95(all_new):.1f} ms wall-clock (goal: under 50 ms)")
    if postgres:
        print(
            f"search CPU time per search (client + server, mean), worst query: "
            f"{max(all_cpu):.1f} ms; server ms: PostgreSQL's execution time of count + page 1 "
            "(EXPLAIN ANALYZE, median of 5)"
        )
    else:
        print(f"search p95 CPU time over all queries: {p95(all_cpu):.1f} ms")
    print(f"old icontains p95: {p95(all_old):.1f} ms")
    print("load average after the queries: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    suggest_ms = []
    for q in TYPOS:
        suggestion = suggest(q)
        samples = timed(lambda q=q: suggest(q), max(3, repeat // 3))
        suggest_ms += samples
        print(f"did you mean: {q!r} -> {suggestion!r}  p95 {p95(samples):.1f} ms")
    print(f"suggest p95 over all typos: {p95(suggest_ms):.1f} ms")

    for label, queryset in (
        ("search, page 1 (layanan paspor)", search_published("layanan paspor")),
        ("search, count (layanan paspor)", None),
        ("old icontains, page 1 (layanan paspor)", old("layanan paspor")),
    ):
        if queryset is None:
            compiler = search_published("layanan paspor").query.chain()
            compiler.clear_ordering(force=True)
            sql, params = compiler.get_compiler(connection=connection).as_sql()
            sql = f"SELECT COUNT(*) FROM ({sql}) AS counted"
        else:
            sql, params = queryset[:PER_PAGE].query.get_compiler(connection=connection).as_sql()
        print(f"\n-- plan: {label}")
        print(adapter.explain(connection, sql, params))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    run_per_database(__file__, DEFAULT_PG)


if __name__ == "__main__":
    main()
