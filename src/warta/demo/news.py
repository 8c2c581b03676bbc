"""Demo news for a fresh installation: a handful of items driven through the active SOP.

Everything goes through the services (``warta.newsroom.services``, ``warta.publishing.services``)
as the demo people (``people.yaml``), so the cases, revisions, publications and audit events are
the same as if people had clicked through the pages. The items end at different places of the
SOP: some published, one returned for revision, one waiting for the second decision (the
permission), one fresh note.

No step, branch or role id is named here: the stories are played from the definition's
structure. A decision is approved by a branch that neither starts a revision (``revision:
true``) nor leads to a refusing end; a return takes a revision branch; the draft is completed on
the step that revisions go back to; publishing happens on the step that uses
``publishing.publish``. Who acts is the step's assignee, else the item's writer when they
hold the step's role, else the first demo person holding it.

The published items happen on their activity's day: time is frozen (``time_machine``) at
working instants computed on the calendar, so every step takes two thirds of its time standard
— except one deliberate example, the edit that Sari finished late, whose explanation waits for
her on "Tugas saya". Most stories come with a short generated video (PyAV, no third-party
footage); the two that were not filmed record that once (at the first step), explained by their
writer and acknowledged by the supervisor, so nobody starts with a list of deviations to explain.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from warta.demo.images import demo_photo
from warta.demo.people import demo_people
from warta.media.video import make_demo_video
from warta.newsroom import services
from warta.newsroom.errors import NoNewsSop
from warta.newsroom.models import NewsItem
from warta.newsroom.selectors import news_sop
from warta.publishing import services as publishing
from warta.sop.definition import Branch, SopDefinition, Step
from warta.sop.models import SopVersion
from warta.workflow.deviations import explain_deviation, review_deviation
from warta.workflow.models import Deviation, StepRun
from warta.worktime.config import get_calendar

# Where each demo item stops.
PUBLISHED = "published"
RETURNED = "returned"  # returned for revision at the first decision
AT_PERMISSION = "at_permission"  # approved once, waiting at the next decision
FRESH = "fresh"  # a new note, still at the first step

STAGE_LABELS = {
    PUBLISHED: "terbit",
    RETURNED: "dikembalikan untuk revisi",
    AT_PERMISSION: "menunggu izin Kabag",
    FRESH: "catatan baru",
}

# The capability of the step that publishes (see ``warta.publishing``).
PUBLISH_CAPABILITY = "publishing.publish"

DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


@dataclass(frozen=True)
class DemoStory:
    stage: str
    author: str
    days_ago: int
    hour: int
    title: str
    activity_name: str
    place: str
    covered_by: str
    notes: str
    paragraphs: list[str]  # HTML; "{tanggal}" becomes the activity's date in Indonesian
    photos: list[tuple[str, str]]  # (scene, caption)
    channels: list[str] = field(default_factory=list)
    return_note: str = ""
    # The deliberate example: the step where the draft is completed finishes after its due time.
    late_edit: bool = False
    # A short generated video comes with the note; False: the activity was not filmed.
    filmed: bool = True


STORIES = [
    DemoStory(
        stage=PUBLISHED,
        author="humas",
        days_ago=26,
        hour=8,
        title="Politeknik Imigrasi Wisuda 212 Taruna Angkatan XXIII",
        activity_name="Wisuda Taruna Angkatan XXIII",
        place="Auditorium Politeknik Imigrasi, Depok",
        covered_by="Sari Wulandari, Budi Santoso",
        notes="Liputan penuh acara; daftar lulusan terbaik dari Bagian Akademik.",
        paragraphs=[
            "<p>Politeknik Imigrasi menggelar wisuda bagi 212 taruna Angkatan XXIII pada "
            "{tanggal} di Auditorium Politeknik Imigrasi, Depok. Para lulusan berasal dari "
            "Program Studi Manajemen Keimigrasian, Hukum Keimigrasian, dan Administrasi "
            "Keimigrasian.</p>",
            "<p>Direktur Politeknik Imigrasi dalam sambutannya berpesan agar para wisudawan "
            'menjaga integritas dan terus belajar. <em>"Gelar yang Saudara terima hari ini '
            'adalah awal pengabdian, bukan akhir perjalanan,"</em> ujarnya.</p>',
            "<h2>Lulusan terbaik</h2>",
            "<p>Pada kesempatan yang sama diumumkan para lulusan dengan capaian terbaik:</p>",
            "<ul><li>lulusan terbaik bidang akademik,</li><li>lulusan terbaik bidang "
            "kepribadian dan disiplin,</li><li>lulusan terbaik bidang kesamaptaan jasmani.</li>"
            "</ul>",
            "<p>Acara ditutup dengan pengukuhan lulusan dan sesi foto bersama orang tua "
            "wisudawan di halaman kampus.</p>",
        ],
        photos=[
            ("upacara", "Barisan wisudawan Angkatan XXIII saat prosesi wisuda."),
            ("aula", "Direktur Politeknik Imigrasi menyampaikan sambutan kepada wisudawan."),
            ("gedung", "Wisudawan dan orang tua berfoto bersama di halaman kampus."),
        ],
        channels=["instagram", "facebook"],
    ),
    DemoStory(
        stage=PUBLISHED,
        author="humas2",
        days_ago=19,
        hour=9,
        title="Taruna Politeknik Imigrasi Gelar Bakti Sosial di Desa Sekitar Kampus",
        activity_name="Bakti Sosial Taruna",
        place="Balai Desa Cilangkap, Depok",
        covered_by="Budi Santoso",
        notes="Kegiatan Senat Taruna; data penerima bantuan dari pemerintah desa.",
        paragraphs=[
            "<p>Senat Taruna Politeknik Imigrasi menyelenggarakan bakti sosial di Balai Desa "
            "Cilangkap pada {tanggal}. Kegiatan ini merupakan wujud kepedulian taruna kepada "
            "masyarakat di sekitar kampus.</p>",
            "<p>Sebanyak 150 paket sembako dibagikan kepada warga yang membutuhkan. Selain itu, "
            "taruna bersama tenaga kesehatan kampus membuka layanan pemeriksaan kesehatan "
            "gratis dan penyuluhan tentang paspor serta bahaya perdagangan orang.</p>",
            "<p>Kepala desa menyampaikan terima kasih atas kegiatan tersebut dan berharap "
            "kerja sama dengan Politeknik Imigrasi terus berlanjut.</p>",
        ],
        photos=[
            ("gedung", "Taruna membagikan paket sembako kepada warga."),
            ("rapat", "Penyuluhan tentang paspor dan pencegahan perdagangan orang."),
        ],
        channels=["instagram"],
    ),
    DemoStory(
        stage=PUBLISHED,
        author="humas",
        days_ago=14,
        hour=10,
        title="Politeknik Imigrasi dan Mitra Tandatangani Nota Kesepahaman Pendidikan Vokasi",
        activity_name="Penandatanganan Nota Kesepahaman",
        place="Ruang Rapat Pimpinan, Gedung Rektorat",
        covered_by="Sari Wulandari",
        notes="Naskah NK dari Bagian Kerja Sama; foto penandatanganan dan serah terima.",
        paragraphs=[
            "<p>Politeknik Imigrasi menandatangani nota kesepahaman dengan sejumlah perguruan "
            "tinggi dan pemerintah daerah mitra pada {tanggal}. Kerja sama ini mencakup "
            "pendidikan, penelitian, dan pengabdian kepada masyarakat.</p>",
            "<p>Ruang lingkup kerja sama antara lain:</p>",
            "<ul><li>pertukaran dosen dan narasumber,</li><li>penelitian bersama di bidang "
            "keimigrasian dan mobilitas manusia,</li><li>praktik kerja lapangan bagi taruna."
            "</li></ul>",
            "<p>Kedua pihak sepakat menyusun rencana kerja tahunan sebagai tindak lanjut nota "
            "kesepahaman ini.</p>",
        ],
        photos=[
            ("rapat", "Penandatanganan nota kesepahaman di Ruang Rapat Pimpinan."),
            ("aula", "Serah terima naskah nota kesepahaman."),
            ("gedung", "Foto bersama pimpinan Politeknik Imigrasi dan mitra."),
        ],
        channels=["instagram", "facebook", "x"],
    ),
    DemoStory(
        stage=PUBLISHED,
        author="humas",
        days_ago=9,
        hour=7,
        title="Upacara Hari Bhakti Imigrasi di Lapangan Politeknik Imigrasi",
        activity_name="Upacara Hari Bhakti Imigrasi",
        place="Lapangan Upacara Politeknik Imigrasi",
        covered_by="Sari Wulandari, Budi Santoso",
        notes="Amanat pembina upacara dibacakan Direktur; taruna sebagai petugas upacara.",
        paragraphs=[
            "<p>Seluruh pegawai dan taruna Politeknik Imigrasi mengikuti upacara peringatan "
            "Hari Bhakti Imigrasi di lapangan upacara kampus pada {tanggal}.</p>",
            "<p>Bertindak sebagai pembina upacara, Direktur Politeknik Imigrasi membacakan "
            "amanat yang mengajak seluruh insan imigrasi untuk memberikan pelayanan yang cepat, "
            "transparan, dan bebas pungutan liar.</p>",
            "<p>Upacara dilanjutkan dengan pemberian penghargaan kepada pegawai berprestasi "
            "serta doa bersama untuk para pendahulu insan imigrasi.</p>",
        ],
        photos=[
            ("upacara", "Pengibaran bendera Merah Putih oleh taruna petugas upacara."),
            ("upacara", "Barisan taruna peserta upacara Hari Bhakti Imigrasi."),
            ("aula", "Pemberian penghargaan kepada pegawai berprestasi."),
            ("gedung", "Pegawai dan taruna berfoto bersama seusai upacara."),
        ],
        channels=["instagram", "facebook"],
        late_edit=True,
    ),
    DemoStory(
        stage=RETURNED,
        author="humas",
        days_ago=5,
        hour=13,
        title="Kuliah Umum Keimigrasian: Pengawasan Orang Asing di Era Digital",
        activity_name="Kuliah Umum Keimigrasian",
        place="Aula Serbaguna Politeknik Imigrasi",
        covered_by="Sari Wulandari",
        notes="Narasumber dari Direktorat Jenderal Imigrasi; bahan paparan diminta ke panitia.",
        paragraphs=[
            "<p>Politeknik Imigrasi menyelenggarakan kuliah umum bertema pengawasan orang asing "
            "di era digital pada {tanggal} di Aula Serbaguna. Kuliah umum diikuti oleh taruna "
            "tingkat II dan III.</p>",
            "<p>Narasumber memaparkan pemanfaatan data perlintasan dan aplikasi pelaporan orang "
            "asing untuk mendukung pengawasan keimigrasian, serta pentingnya kerja sama antar "
            "instansi.</p>",
            "<p>Dalam sesi tanya jawab, para taruna antusias menanyakan peluang penerapan "
            "analitik data dalam tugas intelijen keimigrasian.</p>",
        ],
        photos=[
            ("aula", "Narasumber menyampaikan materi kuliah umum."),
            ("aula", "Taruna mengikuti kuliah umum di Aula Serbaguna."),
            ("rapat", "Pembukaan kuliah umum oleh Direktur."),
        ],
        channels=["instagram"],
        return_note=(
            "Mohon lengkapi nama dan jabatan narasumber di paragraf kedua, dan perbaiki "
            "keterangan foto ketiga: yang tampak adalah sesi tanya jawab, bukan pembukaan."
        ),
    ),
    DemoStory(
        stage=AT_PERMISSION,
        filmed=False,
        author="humas",
        days_ago=3,
        hour=9,
        title="Politeknik Imigrasi Gelar Rapat Koordinasi Pengelolaan Informasi Publik",
        activity_name="Rapat Koordinasi Pengelolaan Informasi Publik",
        place="Ruang Rapat Bagian Administrasi Umum",
        covered_by="Sari Wulandari",
        notes="Peserta: PPID pelaksana tiap unit; notula dari Subbag Umum dan RT.",
        paragraphs=[
            "<p>Bagian Administrasi Umum Politeknik Imigrasi menggelar rapat koordinasi "
            "pengelolaan informasi publik pada {tanggal}. Rapat dihadiri pejabat pengelola "
            "informasi dan dokumentasi (PPID) pelaksana dari setiap unit.</p>",
            "<p>Rapat membahas pemutakhiran daftar informasi publik, standar waktu layanan "
            "permohonan informasi, serta alur pengunggahan berita kegiatan sesuai SOP "
            "Pengunggahan Informasi.</p>",
            "<ul><li>daftar informasi publik dimutakhirkan setiap triwulan;</li><li>permohonan "
            "informasi dijawab paling lambat sepuluh hari kerja;</li><li>setiap berita kegiatan "
            "diperiksa Kasubbag dan diizinkan Kabag sebelum diunggah.</li></ul>",
            "<p>Rapat ditutup dengan kesepakatan untuk mengevaluasi pelaksanaan keputusan ini "
            "pada rapat berikutnya.</p>",
        ],
        photos=[
            ("rapat", "Suasana rapat koordinasi pengelolaan informasi publik."),
            ("rapat", "Paparan alur pengunggahan berita kegiatan."),
        ],
        channels=["instagram", "facebook"],
    ),
    DemoStory(
        stage=FRESH,
        filmed=False,
        author="humas2",
        days_ago=1,
        hour=8,
        title="Pelatihan Jurnalistik bagi Tim Humas dan Taruna",
        activity_name="Pelatihan Jurnalistik Humas",
        place="Laboratorium Komputer Politeknik Imigrasi",
        covered_by="Budi Santoso",
        notes=(
            "Draft awal; masih menunggu nama pemateri dan foto sesi praktik dari panitia. "
            "Video sesi praktik menyusul bila ada."
        ),
        paragraphs=[
            "<p>Subbagian Umum dan Rumah Tangga Politeknik Imigrasi menyelenggarakan pelatihan "
            "jurnalistik bagi tim humas dan perwakilan taruna pada {tanggal}.</p>",
            "<p>Peserta mempelajari teknik menulis berita kegiatan, dasar fotografi "
            "dokumentasi, dan etika publikasi di media sosial instansi.</p>",
        ],
        photos=[
            ("rapat", "Pemateri menjelaskan struktur piramida terbalik."),
            ("aula", "Peserta pelatihan jurnalistik."),
        ],
    ),
]

NOT_FILMED = "Kegiatan ini tidak direkam dalam video; dokumentasinya berupa foto."
DRAFT_READY = "Draft siap diperiksa."
PLEASE_PUBLISH = "Silakan unggah ke website dan media sosial."
# Minutes a step takes when its time standard is unknown.
UNKNOWN_STANDARD_MINUTES = 7


def tanggal(moment: dt.datetime) -> str:
    """The day of ``moment`` in WIB as Indonesian news write it: "Senin, 5 Desember 2016"."""
    local = timezone.localtime(moment)
    return f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"


def _activity_at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while day.weekday() >= 5:  # activities of the office fall on working days
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _photos(story: DemoStory, seed: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(
            f"dokumentasi-{seed:02d}-{number}.jpg",
            demo_photo(seed * 10 + number, scene=scene, label=story.activity_name),
            content_type="image/jpeg",
        )
        for number, (scene, _caption) in enumerate(story.photos, start=1)
    ]


def _videos(story: DemoStory, seed: int) -> list[SimpleUploadedFile]:
    if not story.filmed:
        return []
    with tempfile.TemporaryDirectory(prefix="warta-demo-") as folder:
        path = Path(folder) / "video.mp4"
        make_demo_video(path, seconds=4.0, title=story.activity_name)
        return [
            SimpleUploadedFile(f"video-{seed:02d}.mp4", path.read_bytes(), content_type="video/mp4")
        ]


class _StoryClock:
    """Working instants on the calendar: each action comes ``minutes`` of working time after the
    one before (a published story is played on its activity's day; the others happen now)."""

    def __init__(self, start: dt.datetime, *, played: bool) -> None:
        self.at, self.played = start, played
        self._traveller: time_machine.Traveller | None = None

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Within the block a played story's time stands still at :attr:`at`."""
        if not self.played:
            yield
            return
        with time_machine.travel(self.at, tick=False) as traveller:
            self._traveller = traveller
            try:
                yield
            finally:
                self._traveller = None

    def wait(self, minutes: int) -> None:
        if self.played:
            self.at = get_calendar().add(self.at, dt.timedelta(minutes=minutes))
            if self._traveller is not None:
                self._traveller.move_to(self.at)


# --- reading the definition ---------------------------------------------------------------


def revision_targets(definition: SopDefinition) -> set[str]:
    """The steps a revision goes back to: there the draft is completed and revised."""
    return {branch.next for step in definition.steps for branch in step.branches if branch.revision}


def approving_branch(definition: SopDefinition, step: Step) -> Branch:
    """The "yes" of a decision: no revision, and not a branch that ends the case refused."""
    return next(
        branch
        for branch in step.branches
        if not branch.revision and definition.branch_result(branch) != "refused"
    )


def returning_branch(step: Step) -> Branch | None:
    """The branch of a decision that sends the item back for revision, if it has one."""
    return next((branch for branch in step.branches if branch.revision), None)


def is_publish_step(step: Step) -> bool:
    """Whether ``step`` is where the item is published."""
    return step.uses == PUBLISH_CAPABILITY


def _minutes(step: Step, *, late: bool = False) -> int:
    """How long a demo person takes for ``step``: two thirds of its standard, or half as long
    again as the standard for the deliberately late one."""
    if step.time is None:
        return UNKNOWN_STANDARD_MINUTES
    standard = step.time.total_seconds() / 60
    return max(1, round(standard * 1.5 if late else standard * 2 / 3))


def sop_to_play() -> SopVersion | None:
    """The active SOP the demo news runs under: the one new news items start (see
    ``warta.newsroom.selectors.news_sop``), or None when there is none."""
    try:
        return news_sop()
    except NoNewsSop:
        return None


# --- playing a story -------------------------------------------------------------------------


class _Cast:
    """The demo people by username, and who acts in a role."""

    def __init__(self, users: dict[str, Any]) -> None:
        self.users = users
        self.roles = {person.username: person.role for person in demo_people()}

    def holder(self, role_id: str, *, preferred: Any = None) -> Any:
        if preferred is not None and self.roles.get(preferred.username) == role_id:
            return preferred
        return next(
            self.users[person.username]
            for person in demo_people()
            if person.role == role_id and person.username in self.users
        )

    def actor(self, run: StepRun, author: Any) -> Any:
        return run.assignee or self.holder(run.role_id, preferred=author)


def _drive(story: DemoStory, seed: int, cast: _Cast) -> NewsItem:
    activity_at = _activity_at(story.days_ago, story.hour)
    story_clock = _StoryClock(
        get_calendar().add(activity_at, dt.timedelta(hours=1)), played=story.stage == PUBLISHED
    )
    with story_clock.frozen():
        item = _play(story, seed, cast, activity_at, story_clock)
        story_clock.wait(15)
        _account_for_the_missing_video(item, cast)
    return NewsItem.objects.get(pk=item.pk)


def _account_for_the_missing_video(item: NewsItem, cast: _Cast) -> None:
    """The writer explains the missing video and the supervisor of the writer's role
    acknowledges it, through the same services as the deviation pages; a late step is left for
    its executor to explain."""
    definition = item.case.sop.definition()
    deviations = (
        Deviation.objects.filter(case=item.case)
        .exclude(kind=Deviation.Kind.WAKTU)
        .select_related("step_run", "attributed_to")
    )
    for deviation in deviations:
        explain_deviation(
            deviation_id=deviation.pk, user=deviation.attributed_to, explanation=NOT_FILMED
        )
        supervisor = definition.role(deviation.step_run.role_id).supervisor
        review_deviation(
            deviation_id=deviation.pk, user=cast.holder(supervisor), decision="acknowledged"
        )


def _open_run(item_id: int) -> StepRun | None:
    return (
        StepRun.objects.filter(case__news_item__pk=item_id, finished_at__isnull=True)
        .select_related("assignee")
        .first()
    )


def _play(
    story: DemoStory, seed: int, cast: _Cast, activity_at: dt.datetime, story_clock: _StoryClock
) -> NewsItem:
    author = cast.users[story.author]
    tanggal_text = tanggal(activity_at)
    body = "".join(story.paragraphs).replace("{tanggal}", tanggal_text)
    # The coverage note holds a rough first draft; the edit step completes it.
    first_draft = (
        body if story.stage == FRESH else story.paragraphs[0].replace("{tanggal}", tanggal_text)
    )
    item = services.create_item(
        user=author,
        title=story.title,
        activity_name=story.activity_name,
        activity_at=activity_at,
        place=story.place,
        covered_by=story.covered_by,
        notes=story.notes,
        body=first_draft,
        photos=_photos(story, seed),
        videos=_videos(story, seed),
    )
    # The demo's captions describe what each picture shows, so they serve as alt text too.
    captions = {
        photo.asset_id: caption
        for photo, (_scene, caption) in zip(
            item.photos.order_by("position"), story.photos, strict=True
        )
    }
    if story.stage == FRESH:
        services.save_draft(
            item_id=item.pk,
            user=author,
            base_version=item.edit_version,
            content={},
            captions=captions,
            alt_texts=captions,
        )
        return NewsItem.objects.get(pk=item.pk)

    definition = item.case.sop.definition()
    editing_steps = revision_targets(definition)
    draft_completed = False
    decisions = 0
    # Every step once, a few more for loops: a story never takes more.
    for _ in range(len(definition.steps) * 2):
        run = _open_run(item.pk)
        if run is None:
            break
        step = definition.step(run.step_id)
        actor = cast.actor(run, author)
        if step.kind == "decision":
            if story.stage == AT_PERMISSION and decisions:
                break
            story_clock.wait(_minutes(step))
            returning = returning_branch(step) if story.stage == RETURNED else None
            branch = returning or approving_branch(definition, step)
            services.decide(
                item_id=item.pk,
                step_run_id=run.pk,
                user=actor,
                branch=branch.id,
                reason=story.return_note if returning else "",
            )
            decisions += 1
            if returning:
                break
        elif is_publish_step(step):
            story_clock.wait(_minutes(step))
            publishing.publish(
                item_id=item.pk,
                step_run_id=run.pk,
                user=actor,
                channel_urls={code: _channel_url(code, seed) for code in story.channels},
            )
        elif step.kind == "manual":
            editing = step.id in editing_steps and not draft_completed
            if editing:
                item.refresh_from_db()
                services.save_draft(
                    item_id=item.pk,
                    user=actor,
                    base_version=item.edit_version,
                    content={"body": body},
                    channels=["website", *story.channels],
                    captions=captions,
                    alt_texts=captions,
                )
                draft_completed = True
            story_clock.wait(_minutes(step, late=editing and story.late_edit))
            next_step = definition.step_or_none(step.next)
            if editing:
                note = DRAFT_READY
            elif next_step is not None and is_publish_step(next_step):
                note = PLEASE_PUBLISH
            else:
                note = ""
            services.submit(item_id=item.pk, step_run_id=run.pk, user=actor, note=note)
        else:  # an automatic step is finished by the engine; it never waits for anyone
            raise AssertionError(f"the demo cannot play the open step {step.id!r}")
    return NewsItem.objects.get(pk=item.pk)


def _channel_url(code: str, seed: int) -> str:
    return {
        "instagram": f"https://www.instagram.com/p/demo{seed:02d}warta/",
        "facebook": f"https://www.facebook.com/politeknikimigrasi/posts/demo{seed:02d}",
        "x": f"https://x.com/poltekim/status/18650000000000{seed:02d}",
    }[code]


@transaction.atomic
def create_demo_news() -> list[NewsItem]:
    """Create the demo news when the database has none and the demo people and an SOP to play
    exist; return the items created (none otherwise)."""
    if NewsItem.objects.exists():
        return []
    if sop_to_play() is None:
        return []
    usernames = {person.username for person in demo_people() if person.role is not None}
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=usernames, is_active=True)
    }
    if set(users) != usernames:
        return []
    cast = _Cast(users)
    return [_drive(story, seed, cast) for seed, story in enumerate(STORIES, start=1)]


def stage_of(item: NewsItem) -> str:
    """Where a demo item stopped (one of the stage constants)."""
    if item.is_published:
        return PUBLISHED
    case = item.case
    definition = case.sop.definition()
    step = definition.step_or_none(case.current_step)
    if step is None:
        return FRESH
    if case.revision_round and step.id in revision_targets(definition):
        return RETURNED
    return AT_PERMISSION if step.kind == "decision" else FRESH


def describe(items: list[NewsItem]) -> str:
    """One Indonesian line for the demo command, e.g. "Berita contoh dibuat: 7 (4 terbit, …)"."""
    counts = Counter(stage_of(item) for item in items)
    parts = [f"{counts[stage]} {label}" for stage, label in STAGE_LABELS.items() if counts[stage]]
    return f"Berita contoh dibuat: {len(items)} ({', '.join(parts)})."
