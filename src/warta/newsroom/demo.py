"""Demo news for a fresh installation: a handful of items driven through the real Humas SOP.

Everything goes through ``warta.newsroom.services`` as the demo users (see
``warta.accounts.demo``), so the cases, revisions, publications and audit events are the same as
if people had clicked through the pages. The items end at different places of the SOP: some
published, one returned for revision, one waiting for the Kabag's permission, one fresh note.

The published items happen on their activity's day: the engine's clock (``workflow.clock``, not
a time machine) is set to working instants computed on the calendar, so every step takes a
plausible time within its standard — except one deliberate example, a step 2 that Sari finished
late, whose explanation waits for her on "Tugas saya". No demo item was filmed: each records
that once (at step 1), explained by its writer and acknowledged by the Kasubbag, so nobody
starts with a list of deviations to explain.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from warta.newsroom import services, steps
from warta.newsroom.demo_images import demo_photo
from warta.newsroom.models import NewsItem
from warta.sop.models import SopVersion
from warta.workflow import clock
from warta.workflow.calendar_config import get_calendar
from warta.workflow.deviations import explain_deviation, review_deviation
from warta.workflow.models import Deviation

# Where each demo item stops.
PUBLISHED = "terbit"
RETURNED = "dikembalikan"
AT_PERMISSION = "izin"
FRESH = "catat"

STAGE_LABELS = {
    PUBLISHED: "terbit",
    RETURNED: "dikembalikan untuk revisi",
    AT_PERMISSION: "menunggu izin Kabag",
    FRESH: "catatan baru",
}

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
    late_edit: bool = False  # the deliberate example: step 2 finished after its due time


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

DEMO_USERNAMES = ("humas", "humas2", "kasubbag", "kabag")
NOT_FILMED = "Kegiatan ini tidak direkam dalam video; dokumentasinya berupa foto."


def _tanggal(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"


def _activity_at(days_ago: int, hour: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    while day.weekday() >= 5:  # activities of the office fall on working days
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _open_run_id(item_id: int) -> int:
    item = NewsItem.objects.select_related("case").get(pk=item_id)
    return item.case.step_runs.get(finished_at__isnull=True).pk


def _photos(story: DemoStory, seed: int) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(
            f"dokumentasi-{seed:02d}-{number}.jpg",
            demo_photo(seed * 10 + number, scene=scene, label=story.activity_name),
            content_type="image/jpeg",
        )
        for number, (scene, _caption) in enumerate(story.photos, start=1)
    ]


class _StoryClock:
    """Working instants on the calendar: each action comes ``minutes`` of working time after the
    one before (a published story is played on its activity's day; the others happen now)."""

    def __init__(self, start: dt.datetime, *, played: bool) -> None:
        self.at, self.played = start, played

    def frozen(self):
        return clock.frozen_at(lambda: self.at) if self.played else nullcontext()

    def wait(self, minutes: int) -> None:
        if self.played:
            self.at = get_calendar().add(self.at, dt.timedelta(minutes=minutes))


def _drive(story: DemoStory, seed: int, users: dict) -> NewsItem:
    activity_at = _activity_at(story.days_ago, story.hour)
    story_clock = _StoryClock(
        get_calendar().add(activity_at, dt.timedelta(hours=1)), played=story.stage == PUBLISHED
    )
    with story_clock.frozen():
        item = _play(story, seed, users, activity_at, story_clock)
        story_clock.wait(15)
        _account_for_the_missing_video(item, users)
    return NewsItem.objects.get(pk=item.pk)


def _account_for_the_missing_video(item: NewsItem, users: dict) -> None:
    """The writer explains the missing video and the Kasubbag acknowledges it, through the same
    services as the deviation pages; a late step is left for its executor to explain."""
    for deviation in Deviation.objects.filter(case=item.case).exclude(kind=Deviation.Kind.WAKTU):
        explain_deviation(
            deviation_id=deviation.pk, user=deviation.attributed_to, explanation=NOT_FILMED
        )
        review_deviation(deviation_id=deviation.pk, user=users["kasubbag"], decision="acknowledged")


def _play(
    story: DemoStory, seed: int, users: dict, activity_at: dt.datetime, story_clock: _StoryClock
) -> NewsItem:
    author, kasubbag, kabag = users[story.author], users["kasubbag"], users["kabag"]
    tanggal = _tanggal(activity_at)
    body = "".join(story.paragraphs).replace("{tanggal}", tanggal)
    # The coverage note holds a rough first draft; the edit step completes it.
    first_draft = (
        body if story.stage == FRESH else story.paragraphs[0].replace("{tanggal}", tanggal)
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
    )
    captions = {
        photo.pk: caption
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
        )
        return NewsItem.objects.get(pk=item.pk)

    story_clock.wait(20)
    services.submit(item_id=item.pk, step_run_id=_open_run_id(item.pk), user=author)
    item.refresh_from_db()
    services.save_draft(
        item_id=item.pk,
        user=author,
        base_version=item.edit_version,
        content={"body": body},
        channels=["website", *story.channels],
        captions=captions,
    )
    story_clock.wait(180 if story.late_edit else 60)  # the standard for step 2 is 2 hours
    services.submit(
        item_id=item.pk,
        step_run_id=_open_run_id(item.pk),
        user=author,
        note="Draft siap diperiksa.",
    )
    story_clock.wait(8)
    if story.stage == RETURNED:
        services.decide(
            item_id=item.pk,
            step_run_id=_open_run_id(item.pk),
            user=kasubbag,
            branch="kembalikan",
            reason=story.return_note,
        )
        return NewsItem.objects.get(pk=item.pk)

    services.decide(
        item_id=item.pk, step_run_id=_open_run_id(item.pk), user=kasubbag, branch="setuju"
    )
    if story.stage == AT_PERMISSION:
        return NewsItem.objects.get(pk=item.pk)

    story_clock.wait(8)
    services.decide(
        item_id=item.pk, step_run_id=_open_run_id(item.pk), user=kabag, branch="izinkan"
    )
    story_clock.wait(7)
    services.submit(
        item_id=item.pk,
        step_run_id=_open_run_id(item.pk),
        user=kasubbag,
        note="Silakan unggah ke website dan media sosial.",
    )
    story_clock.wait(4)
    services.publish(
        item_id=item.pk,
        step_run_id=_open_run_id(item.pk),
        user=author,
        channel_urls={code: _channel_url(code, seed) for code in story.channels},
    )
    return NewsItem.objects.get(pk=item.pk)


def _channel_url(code: str, seed: int) -> str:
    return {
        "instagram": f"https://www.instagram.com/p/demo{seed:02d}warta/",
        "facebook": f"https://www.facebook.com/politeknikimigrasi/posts/demo{seed:02d}",
        "x": f"https://x.com/poltekim/status/demo{seed:02d}",
    }[code]


@transaction.atomic
def create_demo_news() -> list[NewsItem]:
    """Create the demo news when the database has none and the demo users and the Humas SOP
    exist; return the items created (none otherwise)."""
    if NewsItem.objects.exists():
        return []
    if not SopVersion.objects.filter(code=steps.SOP_CODE, is_active=True).exists():
        return []
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES, is_active=True)
    }
    if set(users) != set(DEMO_USERNAMES):
        return []
    return [_drive(story, seed, users) for seed, story in enumerate(STORIES, start=1)]


def stage_of(item: NewsItem) -> str:
    """Where a demo item stopped (one of the stage constants)."""
    if item.is_published:
        return PUBLISHED
    step = item.case.current_step
    if step == "edit" and item.case.revision_round:
        return RETURNED
    return {"izin": AT_PERMISSION}.get(step, FRESH)


def describe(items: list[NewsItem]) -> str:
    """One Indonesian line for the demo command, e.g. "Berita contoh dibuat: 7 (4 terbit, …)"."""
    counts = Counter(stage_of(item) for item in items)
    parts = [f"{counts[stage]} {label}" for stage, label in STAGE_LABELS.items() if counts[stage]]
    return f"Berita contoh dibuat: {len(items)} ({', '.join(parts)})."
