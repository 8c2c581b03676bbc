"""Years of realistic newsroom data: a seed made through Warta's own services, then copied.

    .venv/bin/python bench/generate.py [--years 10] [--items-per-year 1800] [--workers 2]
        [--seed-weeks 4] [--no-replicate] [--fresh] [--no-verify]

(or ``WARTA_BENCH_YEARS`` / ``WARTA_BENCH_ITEMS_PER_YEAR`` / ``WARTA_BENCH_WORKERS`` /
``WARTA_BENCH_SEED_WEEKS``), on the database of ``WARTA_DATA_DIR`` / ``WARTA_DATABASE_URL`` —
SQLite or PostgreSQL. An empty database is prepared with ``warta setup`` first (migrations, the
shipped SOP, the demo people and their logins in ``demo-logins.txt``, which
``bench/http_bench.py`` uses to sign in).

**What goes through the services.** An item is *played*: ``newsroom.services.create_item``,
``save_draft``, ``submit``, ``decide``, ``publishing.services.publish``,
``workflow.deviations.explain_deviation`` / ``review_deviation`` — as the demo people, with the
clock frozen (``time_machine``) at the working instant each action would have happened, exactly
as the demo news are played (``warta.demo.news``, whose helpers read the SOP's structure: no
step, branch or role id is named here). Between actions the background tasks that are due at
that instant run in the same process (django-tasks-db's own ``Worker`` in batch mode): the
deadline alerts, the notifications' mails (to Django's dummy mail backend), the photo
renditions. A whole item costs about a second of CPU that way: ten years (18,000 items) take
hours on two cores. So by default only two parts of the period are played:

* the **seed**, the items of the period's first ``--seed-weeks`` weeks (default 4, about 140
  items), and
* the **open tail**, the items of the last days (about two weeks of work, 70 items), which stop
  at every step of the SOP so the inboxes hold open work that the services left as they are.

**What is copied.** Between them the period is filled by ``bench/replicate.py``: the rows the
seed wrote (found by their primary keys being past a watermark taken before it; grouped per
item by following foreign keys and ``<name>_type``/``<name>_id`` references) are copied in bulk,
the copy *k* shifted by *k* × ``--seed-weeks`` whole weeks (weekdays and working hours stay
right), with new keys, references pointing to the copies, unique text suffixed, and the audit
events re-chained with the audit app's own hash function, until the tail's first day. Users,
the SOP version, channel accounts and settings are shared, not copied; sent mails and task
results (which ``warta prune`` deletes) are not copied, the search index is rebuilt and the
stored public pages are cleared at the end. Copies share the seed's media files, and their
texts, notification links and JSON payloads still name the seed's dates and ids (see
``bench/replicate.py``). ``--no-replicate`` plays every item, as before.

Items are spread over the working days of the period (about 7 a day at 1,800 a year), each on
its own "story shape" drawn from a seeded random generator: most go straight through; some are
returned for revision at one of the decisions; some steps are finished late (a time deviation,
usually explained by its executor and acknowledged by the supervisor); a few were not filmed
(a missing-artifact deviation, explained); a few are refused; items of the last days stop at
every step of the SOP. Titles and bodies are Indonesian, built from phrase lists (4–8
paragraphs, about 2–4 KB of HTML); about a fifth mention "paspor".

Speed: several worker processes play the next item from a shared counter, so the items are
made in date order (the audit chain's times stay nearly monotonic; the copies follow the seed
and precede the tail, so the chain stays in time order too); a process runs only the tasks due
by the earliest clock of all processes, so no deadline alert fires before its step's own time.
Measured (docs/performance.md, "Ten years of data"): ten years, 17,624 items, with 2 processes
on the 2-CPU development machine — SQLite 3.8 min (seed 90 s, copies 53 s at 326 items/s, tail
78 s), PostgreSQL 7.3 min (197 s, 162 s at 107 items/s, 69 s); about 38 KB (SQLite) and 43 KB
(PostgreSQL) per item before any prune; the audit chain intact.

At the end it prints the database's size, bytes per item, the biggest tables and whether the
audit chain verifies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    WARTA,
    biggest_tables,
    database_size,
    human_bytes,
    prepare_database_url,
    setup_django,
    short_run,
)

if TYPE_CHECKING:
    from replicate import Watermark

SEED = 20261129
SEED_WEEKS = 4  # weeks made through the services before the rest is copied

# --- Indonesian text --------------------------------------------------------------------------

ACTIVITIES = [
    ("Rapat Koordinasi", "rapat koordinasi"),
    ("Sosialisasi", "sosialisasi"),
    ("Pelatihan", "pelatihan"),
    ("Kuliah Umum", "kuliah umum"),
    ("Seminar Nasional", "seminar nasional"),
    ("Penandatanganan Nota Kesepahaman", "penandatanganan nota kesepahaman"),
    ("Kunjungan Kerja", "kunjungan kerja"),
    ("Bakti Sosial", "bakti sosial"),
    ("Upacara Peringatan", "upacara peringatan"),
    ("Focus Group Discussion", "diskusi kelompok terpumpun"),
    ("Bimbingan Teknis", "bimbingan teknis"),
    ("Apel Pagi Bersama", "apel pagi bersama"),
]
TOPICS = [
    "Pelayanan Paspor",
    "Pengawasan Orang Asing",
    "Zona Integritas",
    "Reformasi Birokrasi",
    "Keterbukaan Informasi Publik",
    "Pencegahan Perdagangan Orang",
    "Pelayanan Izin Tinggal",
    "Pengelolaan Arsip Dinamis",
    "Penguatan Budaya Kerja",
    "Pembangunan Wilayah Bebas Korupsi",
    "Pemanfaatan Teknologi Informasi",
    "Kesiapsiagaan Bencana",
    "Penerimaan Taruna Baru",
    "Penyusunan Laporan Kinerja",
    "Kerja Sama Pendidikan Vokasi",
]
PLACES = [
    "Aula Serbaguna Politeknik Imigrasi",
    "Ruang Rapat Pimpinan, Gedung Rektorat",
    "Auditorium Politeknik Imigrasi, Depok",
    "Laboratorium Komputer Politeknik Imigrasi",
    "Lapangan Upacara Politeknik Imigrasi",
    "Ruang Rapat Bagian Administrasi Umum",
    "Kantor Imigrasi Kelas I Khusus Jakarta Selatan",
    "Balai Desa Cilangkap, Depok",
]
PARTIES = [
    "Direktorat Jenderal Imigrasi",
    "pemerintah daerah mitra",
    "perguruan tinggi mitra",
    "Kantor Wilayah Kementerian",
    "organisasi masyarakat setempat",
    "Senat Taruna",
]
OPENINGS = [
    "Politeknik Imigrasi menyelenggarakan {kegiatan} bertema {tema} pada {tanggal} di {tempat}.",
    "Bertempat di {tempat}, Politeknik Imigrasi menggelar {kegiatan} tentang {tema} pada "
    "{tanggal}.",
    "Pada {tanggal}, pegawai dan taruna Politeknik Imigrasi mengikuti {kegiatan} mengenai {tema} "
    "di {tempat}.",
]
SENTENCES = [
    "Kegiatan ini diikuti oleh pejabat struktural, dosen, dan perwakilan taruna dari setiap "
    "tingkat.",
    "Dalam sambutannya, Direktur Politeknik Imigrasi menekankan pentingnya pelayanan yang cepat, "
    "transparan, dan bebas pungutan liar.",
    "Narasumber dari {mitra} memaparkan perkembangan kebijakan terbaru serta tantangan yang "
    "dihadapi di lapangan.",
    "Peserta antusias mengikuti sesi tanya jawab dan menyampaikan berbagai pengalaman dari unit "
    "kerja masing-masing.",
    "Kegiatan ini merupakan bagian dari program kerja tahunan yang telah ditetapkan pada awal "
    "tahun anggaran.",
    "Panitia mencatat bahwa jumlah peserta tahun ini meningkat dibandingkan kegiatan serupa "
    "pada tahun sebelumnya.",
    "Hasil diskusi akan dirumuskan menjadi rekomendasi yang disampaikan kepada pimpinan.",
    "Seluruh rangkaian acara berlangsung tertib dengan tetap memperhatikan protokol yang berlaku.",
    "Selain pemaparan materi, peserta juga melakukan praktik langsung yang dipandu oleh "
    "instruktur berpengalaman.",
    "Kerja sama dengan {mitra} diharapkan memperkuat mutu pendidikan dan pelayanan kepada "
    "masyarakat.",
    "Dokumentasi kegiatan dan bahan paparan dapat diperoleh melalui Subbagian Umum dan Rumah "
    "Tangga.",
    "Pimpinan berharap kegiatan serupa dapat dilaksanakan secara berkala dan dievaluasi setiap "
    "triwulan.",
]
PASPOR_SENTENCES = [
    "Materi juga membahas prosedur permohonan paspor secara daring dan layanan paspor elektronik.",
    "Peserta mendapat penjelasan mengenai persyaratan penerbitan paspor bagi pekerja migran.",
]
QUOTES = [
    '"Pelayanan publik yang baik dimulai dari integritas setiap pegawai," ujarnya.',
    '"Kita harus terus belajar dan beradaptasi dengan perubahan," katanya.',
    '"Kegiatan ini menjadi bekal penting bagi taruna sebelum terjun ke lapangan," tuturnya.',
]
RETURN_NOTES = [
    "Mohon lengkapi nama dan jabatan narasumber pada paragraf kedua.",
    "Keterangan foto belum sesuai dengan isi foto; mohon diperbaiki.",
    "Judul terlalu panjang; mohon diringkas dan periksa kembali ejaan.",
    "Tambahkan jumlah peserta dan tindak lanjut kegiatan pada paragraf terakhir.",
]
LATE_EXPLANATIONS = [
    "Menunggu konfirmasi nama narasumber dari panitia sehingga penyelesaian tertunda.",
    "Bersamaan dengan tugas peliputan kegiatan pimpinan di luar kantor.",
    "Jaringan internet kantor terganggu pada hari tersebut.",
    "Sedang mengikuti rapat pimpinan sehingga pemeriksaan baru dapat dilakukan sesudahnya.",
]
NOT_FILMED = "Kegiatan ini tidak direkam dalam video; dokumentasinya berupa foto."
REFUSAL = "Kegiatan ini belum dapat dipublikasikan menunggu rilis resmi dari kementerian."


@dataclass(frozen=True)
class Story:
    """What happens to one item (drawn from the item's own seeded generator)."""

    index: int
    activity_at: dt.datetime
    author: str
    title: str
    activity_name: str
    place: str
    paragraphs: list[str]
    photos: int
    filmed: bool
    returns: int  # returns for revision before the item goes through
    late_step: int | None  # the n-th action of the story is finished late
    refused: bool
    stop_after: int | None  # actions done before the story stops (open items at the end)
    explains_late: bool
    channels: list[str]


def _tanggal(moment: dt.datetime) -> str:
    from warta.demo.news import tanggal

    return tanggal(moment)


def working_days(start: dt.date, end: dt.date) -> list[dt.date]:
    from warta.worktime.config import get_calendar

    calendar = get_calendar()
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def open_tail(total: int) -> int:
    """How many of the last items stay open (about two weeks of work at 1,800 a year)."""
    return max(1, min(total // 10, 70))


def make_story(index: int, total: int, day: dt.date, authors: list[str]) -> Story:
    from django.utils import timezone

    rng = random.Random(SEED * 1_000_003 + index)
    kind, kind_lower = rng.choice(ACTIVITIES)
    topic = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    activity_at = timezone.make_aware(
        dt.datetime.combine(day, dt.time(rng.choice([8, 9, 10, 13, 14]), rng.choice([0, 30])))
    )
    words = {
        "kegiatan": kind_lower,
        "tema": topic.lower(),
        "tanggal": _tanggal(activity_at),
        "tempat": place,
        "mitra": rng.choice(PARTIES),
    }
    sentences = [rng.choice(OPENINGS)]
    pool = SENTENCES[:]
    rng.shuffle(pool)
    paragraphs = []
    for number in range(rng.randint(4, 8)):
        if number:
            sentences = pool[: rng.randint(2, 4)]
            pool = pool[len(sentences) :] or SENTENCES[:]
        if number == 1 and rng.random() < 0.2:
            sentences.append(rng.choice(PASPOR_SENTENCES))
        if number == 2:
            sentences.append(rng.choice(QUOTES))
        paragraphs.append("<p>" + " ".join(s.format(**words) for s in sentences) + "</p>")
    if rng.random() < 0.3:
        paragraphs.insert(2, "<h2>Poin penting</h2>")
        paragraphs.insert(3, "<ul><li>" + "</li><li>".join(rng.sample(TOPICS, 3)) + "</li></ul>")
    title = f"{kind} {topic} di Politeknik Imigrasi"
    if rng.random() < 0.5:
        title = f"Politeknik Imigrasi Gelar {kind} {topic}"
    # The last items (about two weeks of work) are still open at every stage of the SOP.
    stop_after = rng.randint(0, 6) if index >= total - open_tail(total) else None
    roll = rng.random()
    return Story(
        index=index,
        activity_at=activity_at,
        author=authors[index % len(authors)],
        title=title,
        activity_name=f"{kind} {topic}",
        place=place,
        paragraphs=paragraphs,
        photos=rng.randint(1, 3),
        filmed=rng.random() >= 0.05,
        returns=1 if roll < 0.15 else (2 if roll < 0.17 else 0),
        late_step=rng.randint(0, 5) if rng.random() < 0.08 else None,
        refused=rng.random() < 0.01,
        stop_after=stop_after,
        explains_late=rng.random() < 0.85,
        channels=rng.sample(["instagram", "facebook", "x"], rng.randint(0, 2)),
    )


# --- playing a story through the services ------------------------------------------------------


class Player:
    """One worker process: plays stories through the services with the clock moved per action."""

    def __init__(self, clocks=None, slot: int = 0) -> None:
        from django.contrib.auth import get_user_model
        from django_tasks_db.management.commands.db_worker import Worker

        from warta.demo.news import _Cast
        from warta.demo.people import demo_people

        users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=[p.username for p in demo_people() if p.role]
            )
        }
        from warta.demo.news import sop_to_play

        self.cast = _Cast(users)
        # The writers: holders of the role that acts in the SOP's first step.
        writer_role = sop_to_play().definition().steps[0].actor
        self.authors = sorted(
            name for name, role in self.cast.roles.items() if role == writer_role and name in users
        )
        self.photos = _photo_bytes()
        self.video = _video_bytes()
        self.worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"bench-{os.getpid()}",
            excluded_queue_names=[],
        )
        self.clocks = clocks
        self.slot = slot

    def set_clock(self, at: dt.datetime | None) -> None:
        """Tell the other processes where this one's clock stands (None: between items)."""
        if self.clocks is not None:
            self.clocks[self.slot] = at.timestamp() if at is not None else float("inf")

    def run_due_tasks(self) -> None:
        """What the background worker would have done by now: every task due by the earliest
        clock of all the worker processes (so that one process never runs another's deadline
        alert before that process's own time has come), by django-tasks-db's own worker code."""
        from django.db.models import Q
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult, get_date_max
        from django_tasks_db.utils import exclusive_transaction

        horizon = timezone.now()
        if self.clocks is not None:
            earliest = min(self.clocks[:])
            if earliest != float("inf"):
                horizon = min(horizon, dt.datetime.fromtimestamp(earliest, tz=dt.UTC))
        tasks = DBTaskResult.objects.ready().filter(
            Q(run_after=get_date_max()) | Q(run_after__lte=horizon)
        )
        while True:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker.worker_id)
            if task_result is None:
                return
            self.worker.run_task(task_result)

    def play(self, story: Story) -> None:
        import time_machine
        from django.core.files.uploadedfile import SimpleUploadedFile

        from warta.demo.news import (
            approving_branch,
            is_publish_step,
            returning_branch,
            revision_targets,
        )
        from warta.newsroom import services
        from warta.newsroom.models import NewsItem
        from warta.publishing import services as publishing
        from warta.worktime.config import get_calendar

        calendar = get_calendar()
        author = self.cast.users[story.author]
        at = calendar.add(story.activity_at, dt.timedelta(minutes=45))
        rng = random.Random(story.index)
        with time_machine.travel(at, tick=False) as traveller:

            def wait(minutes: float) -> None:
                nonlocal at
                at = calendar.add(at, dt.timedelta(minutes=max(1, round(minutes))))
                traveller.move_to(at)
                self.set_clock(at)
                self.run_due_tasks()

            self.set_clock(at)

            photos = [
                SimpleUploadedFile(
                    f"foto-{story.index}-{n}.jpg",
                    self.photos[(story.index + n) % len(self.photos)],
                    content_type="image/jpeg",
                )
                for n in range(story.photos)
            ]
            videos = (
                [SimpleUploadedFile(f"video-{story.index}.mp4", self.video, "video/mp4")]
                if story.filmed
                else []
            )
            item = services.create_item(
                user=author,
                title=story.title,
                activity_name=story.activity_name,
                activity_at=story.activity_at,
                place=story.place,
                covered_by=author.get_full_name(),
                notes="Catatan liputan; bahan dari panitia.",
                body=story.paragraphs[0],
                photos=photos,
                videos=videos,
            )
            captions = {
                photo.asset_id: f"Dokumentasi {story.activity_name} ({number})."
                for number, photo in enumerate(item.photos.order_by("position"), start=1)
            }
            definition = item.case.sop.definition()
            editing_steps = revision_targets(definition)
            body = "".join(story.paragraphs)
            returns_left = story.returns
            for actions in range(len(definition.steps) * (story.returns + 2)):
                run = _open_run(item.pk)
                if run is None or (story.stop_after is not None and actions >= story.stop_after):
                    break
                step = definition.step(run.step_id)
                actor = self.cast.actor(run, author)
                late = story.late_step == actions
                minutes = (step.time.total_seconds() / 60 if step.time is not None else 7) * (
                    rng.uniform(1.3, 2.5) if late else rng.uniform(0.2, 0.7)
                )
                if step.kind == "decision":
                    wait(minutes)
                    returning = returning_branch(step) if returns_left else None
                    if returning is not None:
                        returns_left -= 1
                        branch, reason = returning, rng.choice(RETURN_NOTES)
                    elif story.refused and _refusing_branch(definition, step) is not None:
                        branch, reason = _refusing_branch(definition, step), REFUSAL
                    else:
                        branch, reason = approving_branch(definition, step), ""
                    services.decide(
                        item_id=item.pk,
                        step_run_id=run.pk,
                        user=actor,
                        branch=branch.id,
                        reason=reason,
                    )
                elif is_publish_step(step):
                    wait(minutes)
                    publishing.publish(
                        item_id=item.pk,
                        step_run_id=run.pk,
                        user=actor,
                        channel_urls={
                            code: _channel_url(code, story.index) for code in story.channels
                        },
                    )
                elif step.kind == "manual":
                    if step.id in editing_steps:
                        item = NewsItem.objects.get(pk=item.pk)
                        revised = (
                            body
                            if not run.revision_round
                            else body
                            + ("<p>Kegiatan ditutup dengan foto bersama seluruh peserta.</p>")
                        )
                        services.save_draft(
                            item_id=item.pk,
                            user=actor,
                            base_version=item.edit_version,
                            content={"body": revised},
                            channels=["website", *story.channels],
                            captions=captions,
                            alt_texts=captions,
                        )
                    wait(minutes)
                    services.submit(item_id=item.pk, step_run_id=run.pk, user=actor, note="")
                else:  # pragma: no cover - automatic steps are finished by the engine
                    raise RuntimeError(f"cannot play the open step {step.id!r}")
            wait(20)
            self._account_for_deviations(item.pk, story, wait)
        self.set_clock(None)

    def _account_for_deviations(self, item_id: int, story: Story, wait) -> None:
        """Executors explain their deviations, supervisors acknowledge them (most of the time)."""
        from warta.workflow.deviations import explain_deviation, review_deviation
        from warta.workflow.models import Deviation

        deviations = Deviation.objects.filter(
            case__news_item__pk=item_id, explained_at__isnull=True
        ).select_related("step_run", "attributed_to", "case__sop")
        for deviation in deviations:
            if deviation.attributed_to is None:  # nobody held the step: nobody can explain it
                continue
            if deviation.kind == Deviation.Kind.WAKTU:
                if not story.explains_late:
                    continue
                text = LATE_EXPLANATIONS[story.index % len(LATE_EXPLANATIONS)]
            else:
                text = NOT_FILMED
            explain_deviation(
                deviation_id=deviation.pk, user=deviation.attributed_to, explanation=text
            )
            wait(30)
            supervisor = deviation.case.sop.definition().role(deviation.step_run.role_id).supervisor
            if supervisor and story.index % 7:
                review_deviation(
                    deviation_id=deviation.pk,
                    user=self.cast.holder(supervisor),
                    decision="acknowledged",
                )


def _refusing_branch(definition, step):
    return next(
        (b for b in step.branches if definition.branch_result(b) == "refused"),
        None,
    )


def _open_run(item_id: int):
    from warta.workflow.models import StepRun

    return (
        StepRun.objects.filter(case__news_item__pk=item_id, finished_at__isnull=True)
        .select_related("assignee")
        .first()
    )


def _channel_url(code: str, index: int) -> str:
    return {
        "instagram": f"https://www.instagram.com/p/bench{index}warta/",
        "facebook": f"https://www.facebook.com/politeknikimigrasi/posts/bench{index}",
        "x": f"https://x.com/poltekim/status/1865{index:014d}",
    }[code]


def _photo_bytes() -> list[bytes]:
    """Six small photos (960×600 JPEG, about 60 KB) drawn once and reused."""
    import io

    from PIL import Image

    from warta.demo.images import SCENES, demo_photo

    photos = []
    for number in range(6):
        data = demo_photo(900 + number, scene=SCENES[number % len(SCENES)], label="Warta bench")
        image = Image.open(io.BytesIO(data))
        image.thumbnail((960, 600))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=82)
        photos.append(out.getvalue())
    return photos


def _video_bytes() -> bytes:
    import tempfile

    from warta.media.video import make_demo_video

    with tempfile.TemporaryDirectory(prefix="warta-bench-") as folder:
        path = Path(folder) / "video.mp4"
        make_demo_video(path, seconds=1.0, title="Warta bench")
        return path.read_bytes()


# --- the processes ------------------------------------------------------------------------------


def _work(
    counter, done, failures, clocks, slot: int, plan: list[tuple[int, str]], total: int
) -> None:
    import logging

    setup_django()
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
    player = Player(clocks, slot)
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
            # Claimed under the lock: no other process sees a horizon past this item's start.
            clocks[slot] = (
                dt.datetime.combine(dt.date.fromisoformat(plan[index][1]), dt.time(0))
                .replace(tzinfo=dt.UTC)
                .timestamp()
                if index < len(plan)
                else float("inf")
            )
        if index >= len(plan):
            break
        day = dt.date.fromisoformat(plan[index][1])
        story = make_story(plan[index][0], total, day, player.authors)
        try:
            player.play(story)
        except Exception as error:
            with failures.get_lock():
                failures.value += 1
            print(f"item {story.index} failed: {type(error).__name__}: {error}", flush=True)
            if os.environ.get("WARTA_BENCH_DEBUG"):
                import traceback

                traceback.print_exc()
        with done.get_lock():
            done.value += 1
    # What is due by the last item's end runs once the others are done too.
    clocks[slot] = float("inf")
    player.run_due_tasks()


def prepare_database() -> None:
    """``warta setup`` on an empty database (it refuses nothing on a prepared one either)."""
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    done = subprocess.run([WARTA, "setup"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"warta setup failed:\n{done.stdout}\n{done.stderr}")


def plan_items(years: float, per_year: int, end: dt.date) -> list[tuple[int, str]]:
    start = end - dt.timedelta(days=round(365.25 * years))
    days = working_days(start, end)
    while not days:  # a tiny period without a working day: take the last one before it
        start -= dt.timedelta(days=1)
        days = working_days(start, end)
    total = max(1, round(years * per_year))
    return [(index, days[index * len(days) // total].isoformat()) for index in range(total)]


def play(plan: list[tuple[int, str]], total: int, workers: int) -> tuple[int, int, bool]:
    """Play the stories of ``plan`` through the services in ``workers`` processes, printing
    progress; returns (items made, failures, whether a process crashed)."""
    from django.db import connection

    if not plan:
        return 0, 0, False
    connection.close()
    context = multiprocessing.get_context("spawn")
    counter, done, failures = context.Value("i", 0), context.Value("i", 0), context.Value("i", 0)
    clocks = context.Array("d", [float("inf")] * workers)
    processes = [
        context.Process(target=_work, args=(counter, done, failures, clocks, slot, plan, total))
        for slot in range(workers)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    last_print = 0.0
    while any(process.is_alive() for process in processes):
        time.sleep(0.5)
        now = time.monotonic()
        if now - last_print >= 5:
            last_print = now
            finished = done.value
            rate = finished / (now - started) if finished else 0
            eta = (len(plan) - finished) / rate if rate else float("inf")
            print(
                f"  {finished:>7,}/{len(plan):,} items  {rate:6.2f} items/s  "
                f"ETA {eta / 60:6.1f} min",
                flush=True,
            )
    for process in processes:
        process.join()
    elapsed = time.monotonic() - started
    print(
        f"Made {done.value - failures.value:,} items in {elapsed:.0f} s "
        f"({done.value / elapsed:.2f} items/s, {elapsed / max(1, done.value) * 1000:.0f} ms "
        f"per item wall, {failures.value} failed)",
        flush=True,
    )
    return done.value - failures.value, failures.value, any(p.exitcode for p in processes)


def split_plan(
    plan: list[tuple[int, str]], seed_weeks: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]], dt.date] | None:
    """(seed, tail, first day of the tail) of a replicated run: the seed is the items of the
    first ``seed_weeks`` weeks from the period's first day, the tail the open items of the
    last days; None when the copies would have no room between them."""
    start = dt.date.fromisoformat(plan[0][1])
    seed_end = start + dt.timedelta(weeks=seed_weeks)
    tail_day = dt.date.fromisoformat(plan[len(plan) - open_tail(len(plan))][1])
    if seed_end >= tail_day:
        return None
    seed = [entry for entry in plan if dt.date.fromisoformat(entry[1]) < seed_end]
    tail = [entry for entry in plan if dt.date.fromisoformat(entry[1]) >= tail_day]
    return seed, tail, tail_day


def replicate_seed(
    watermark: Watermark, *, seed_weeks: int, first_day: dt.date, stop_day: dt.date
) -> int:
    """Copy what the seed wrote, ``seed_weeks`` weeks on at a time, until ``stop_day``."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult
    from replicate import Replicator, fill

    from warta.newsroom.models import NewsItem
    from warta.notify.models import OutgoingMail
    from warta.search.models import SearchEntry

    started = time.monotonic()
    # Sent mails and task results are pruned by `warta prune`; the search index is rebuilt.
    replicator = Replicator(
        watermark=watermark, root=NewsItem, skip=[OutgoingMail, DBTaskResult, SearchEntry]
    )
    print(f"Seed read in {time.monotonic() - started:.1f} s", flush=True)
    midnight = dt.time(0)
    made = fill(
        replicator,
        weeks=seed_weeks,
        first_start=timezone.make_aware(dt.datetime.combine(first_day, midnight)),
        stop_at=timezone.make_aware(dt.datetime.combine(stop_day, midnight)),
        progress=lambda line: print(line, flush=True),
    )
    elapsed = time.monotonic() - started
    print(f"Copied {made:,} items in {elapsed:.0f} s ({made / elapsed:.0f} items/s)", flush=True)
    return made


def refresh_derived() -> None:
    """The search index rebuilt and the stored public pages cleared (copies change both)."""
    from warta.search.services import rebuild
    from warta.site.pages import clear

    started = time.monotonic()
    indexed = rebuild()
    cleared = clear()
    print(
        f"Search index rebuilt ({indexed:,} items), {cleared:,} stored pages cleared "
        f"in {time.monotonic() - started:.0f} s",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    short = short_run()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--years",
        type=float,
        default=float(os.environ.get("WARTA_BENCH_YEARS", 0.02 if short else 10)),
    )
    parser.add_argument(
        "--items-per-year",
        type=int,
        default=int(os.environ.get("WARTA_BENCH_ITEMS_PER_YEAR", 1800)),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WARTA_BENCH_WORKERS", min(4, os.cpu_count() or 1))),
    )
    parser.add_argument(
        "--seed-weeks",
        type=int,
        default=int(os.environ.get("WARTA_BENCH_SEED_WEEKS", SEED_WEEKS)),
        help="weeks made through the services before the rest is copied (default %(default)s)",
    )
    parser.add_argument(
        "--no-replicate",
        action="store_true",
        help="play every item through the services (hours for ten years)",
    )
    parser.add_argument("--no-verify", action="store_true", help="skip the audit chain check")
    parser.add_argument(
        "--fresh", action="store_true", help="drop the database first (else: add to it)"
    )
    args = parser.parse_args(argv)
    # Mails of the notifications are rendered and "sent" (recorded as sent) to nowhere.
    os.environ.setdefault("WARTA_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    prepare_database_url(fresh=args.fresh)
    prepare_database()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from warta.newsroom.models import NewsItem

    before_items = NewsItem.objects.count()
    end = timezone.localdate() - dt.timedelta(days=1)
    plan = plan_items(args.years, args.items_per_year, end)
    total = len(plan)
    split = None if args.no_replicate else split_plan(plan, max(1, args.seed_weeks))
    how = (
        f"the first {args.seed_weeks} weeks and the open tail through the services, the rest copied"
        if split
        else "every item through the services"
    )
    print(
        f"Generating {total:,} items over {args.years:g} years ({plan[0][1]} … {plan[-1][1]}) "
        f"on {connection.vendor}: {how}; {args.workers} worker process(es)",
        flush=True,
    )
    started = time.monotonic()
    if split is None:
        made, failed, crashed = play(plan, total, args.workers)
    else:
        from replicate import Watermark

        seed, tail, tail_day = split
        watermark = Watermark.take()
        made, failed, crashed = play(seed, total, args.workers)
        made += replicate_seed(
            watermark,
            seed_weeks=args.seed_weeks,
            first_day=dt.date.fromisoformat(plan[0][1]),
            stop_day=tail_day,
        )
        connection.close()
        tail_made, tail_failed, tail_crashed = play(tail, total, args.workers)
        made, failed, crashed = made + tail_made, failed + tail_failed, crashed or tail_crashed
        refresh_derived()
    elapsed = time.monotonic() - started
    print(
        f"Generated {made:,} items in {elapsed:.0f} s ({elapsed / 60:.1f} min, "
        f"{made / elapsed:.1f} items/s)",
        flush=True,
    )
    report(before_items, verify=not args.no_verify)
    return 1 if failed or crashed else 0


def report(before_items: int = 0, *, verify: bool = True) -> None:
    from django.db.models import Count

    from warta.newsroom.models import NewsItem
    from warta.workflow.models import Case

    items = NewsItem.objects.count()
    size = database_size()
    print(f"Items: {items:,} ({items - before_items:,} new)")
    ends = Case.objects.values("status", "end_state").annotate(n=Count("pk")).order_by("-n")
    print("Cases: " + ", ".join(f"{e['status']}/{e['end_state'] or '-'} {e['n']:,}" for e in ends))
    print(f"Database size: {human_bytes(size)}, {human_bytes(size / max(1, items))} per item")
    print("Biggest tables:")
    for table, table_bytes, rows in biggest_tables():
        shown = human_bytes(table_bytes) if table_bytes >= 0 else "?"
        print(f"  {table:<40} {shown:>10} {rows:>10,} rows")
    if verify:
        from warta.audit.verify import verify_chain

        started = time.monotonic()
        problems = list(verify_chain())
        print(
            f"Audit chain: {'intact' if not problems else f'{len(problems)} problems'} "
            f"(verified in {time.monotonic() - started:.1f} s)"
        )
        for problem in problems[:5]:
            print(f"  {problem}")


if __name__ == "__main__":
    sys.exit(main())
