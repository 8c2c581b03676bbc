"""The video half of the media pipeline: refusals, facts, posters, web copies, channel limits."""

from __future__ import annotations

import io
import json
import struct
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import pytest
from django.utils import translation
from PIL import Image

from tests.media import videogen
from warta.media.errors import MediaRefused
from warta.media.limits import human_size
from warta.media.types import MOV, MP4, WEBM
from warta.media.video import (
    CHANNEL_VIDEO_LIMITS,
    channel_warnings,
    human_duration,
    inspect_video,
    make_demo_video,
    poster_candidates,
    transcode_web_mp4,
    web_size,
)

LIMIT = 50 * 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(path: Path, **kwargs) -> MediaRefused:
    kwargs.setdefault("max_bytes", LIMIT)
    with pytest.raises(MediaRefused) as caught:
        inspect_video(path, path.name, **kwargs)
    assert path.name in caught.value.message
    return caught.value


# --- refusals -------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "kosong.mp4"
    path.write_bytes(b"")
    assert refusal(path).code == "empty"


def test_over_the_size_limit(tmp_path):
    path = videogen.mp4_h264(tmp_path / "besar.mp4")
    error = refusal(path, max_bytes=path.stat().st_size - 1)
    assert error.code == "too-large"
    assert human_size(path.stat().st_size - 1) in error.message


def test_over_the_length_limit(tmp_path):
    path = videogen.mp4_h264(tmp_path / "panjang.mp4", seconds=1.0)
    error = refusal(path, max_seconds=0.5)
    assert error.code == "too-long"
    assert human_duration(0.5) in error.message


@pytest.mark.parametrize(
    ("filename", "content", "code", "what"),
    [
        ("halaman.mp4", videogen.HTML_BYTES, "not-media", "an HTML page"),
        ("laporan.mp4", videogen.PDF_BYTES, "not-media", "a PDF document"),
        ("arsip.mov", videogen.zip_bytes(), "not-media", "a ZIP archive"),
        ("foto.mp4", videogen.jpeg_bytes(), "wrong-type", "a JPEG photo"),
    ],
)
def test_not_a_video_says_what_it_is(tmp_path, filename, content, code, what):
    path = tmp_path / filename
    path.write_bytes(content)
    error = refusal(path)
    assert error.code == code
    assert what in error.message


def test_plain_matroska_is_refused(tmp_path):
    error = refusal(videogen.mkv_h264(tmp_path / "rekaman.mkv"))
    assert error.code == "wrong-type"
    assert "Matroska" in error.message


def test_sound_without_picture_is_refused(tmp_path):
    assert refusal(videogen.audio_only_mp4(tmp_path / "suara.mp4")).code == "wrong-type"


@pytest.mark.parametrize("faststart", [False, True], ids=["index-last", "index-first"])
def test_mp4_cut_in_half(tmp_path, faststart):
    whole = videogen.mp4_h264(tmp_path / "utuh.mp4", faststart=faststart)
    assert inspect_video(whole, whole.name, max_bytes=LIMIT).duration == pytest.approx(1.0, abs=0.1)
    assert refusal(videogen.truncated(whole, tmp_path / "potong.mp4")).code == "truncated"


def test_webm_cut_in_half(tmp_path):
    whole = videogen.webm_vp9(tmp_path / "utuh.webm")
    assert refusal(videogen.truncated(whole, tmp_path / "potong.webm")).code == "truncated"


def test_container_that_cannot_be_opened(tmp_path):
    path = tmp_path / "rusak.mp4"
    ftyp = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 512, b"isom", b"mp41")
    moov = struct.pack(">I4s", 8 + 200, b"moov") + bytes(range(200))
    path.write_bytes(ftyp + moov)
    assert refusal(path).code == "unreadable"


def test_codec_that_cannot_be_decoded(tmp_path):
    error = refusal(videogen.undecodable_mp4(tmp_path / "acak.mp4"))
    assert error.code == "unreadable"
    assert "h264" in error.message


# --- accepted videos ------------------------------------------------------------------------


def test_mp4_facts(tmp_path):
    path = videogen.mp4_h264(tmp_path / "liputan.mp4", seconds=1.0, width=160, height=120)
    info = inspect_video(path, "liputan.mp4", max_bytes=LIMIT)
    assert info.media_type == MP4
    assert (info.width, info.height, info.rotation) == (160, 120, 0)
    assert info.duration == pytest.approx(1.0, abs=0.1)
    assert info.frame_rate == pytest.approx(25.0)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.size == path.stat().st_size
    assert info.bit_rate and info.bit_rate > 0
    assert info.web_playable
    stored = json.loads(json.dumps(info.as_dict()))
    assert stored["media_type"] == "video/mp4" and stored["duration"] == info.duration


def test_mp4_without_sound_is_web_playable(tmp_path):
    path = videogen.mp4_h264(tmp_path / "bisu.mp4", audio=False)
    info = inspect_video(path, path.name, max_bytes=LIMIT)
    assert info.audio_codec is None and info.web_playable


def test_mp4_with_other_sound_is_not_web_playable(tmp_path):
    path = videogen.mp4_h264(tmp_path / "opus.mp4", audio_codec="libopus")
    info = inspect_video(path, path.name, max_bytes=LIMIT)
    assert (info.video_codec, info.audio_codec) == ("h264", "opus")
    assert not info.web_playable


def test_webm_facts(tmp_path):
    path = videogen.webm_vp9(tmp_path / "rapat.webm", seconds=1.0)
    info = inspect_video(path, path.name, max_bytes=LIMIT)
    assert info.media_type == WEBM
    assert (info.video_codec, info.audio_codec) == ("vp9", "opus")
    assert info.duration == pytest.approx(1.0, abs=0.1)
    assert not info.web_playable


def test_mov_facts(tmp_path):
    path = videogen.mov_mpeg4(tmp_path / "kamera.mov")
    info = inspect_video(path, path.name, max_bytes=LIMIT)
    assert info.media_type == MOV
    assert (info.video_codec, info.audio_codec) == ("mpeg4", "pcm_s16le")
    assert info.duration == pytest.approx(1.0, abs=0.1)
    assert not info.web_playable


def test_phone_rotation_gives_displayed_size(tmp_path):
    path = videogen.phone_portrait_mp4(tmp_path / "hp.mp4")
    info = inspect_video(path, path.name, max_bytes=LIMIT)
    assert info.rotation == 90
    assert (info.width, info.height) == (120, 160)


# --- posters --------------------------------------------------------------------------------


def is_marker(pixel) -> bool:
    red, green, blue = pixel[:3]
    return red > 180 and green < 90 and blue < 90


def read_jpeg(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
    assert b"Exif\x00" not in data and b"http://ns.adobe.com/xap" not in data
    return image.convert("RGB")


def test_posters_are_spread_clean_jpegs(tmp_path):
    path = videogen.mp4_h264(tmp_path / "acara.mp4", seconds=1.0)
    posters = poster_candidates(path)
    assert len(posters) == 4
    times = [poster.time for poster in posters]
    assert times == sorted(times) and len(set(times)) == 4
    assert times[0] == pytest.approx(0.1, abs=0.05) and times[-1] == pytest.approx(0.85, abs=0.05)
    for poster in posters:
        image = read_jpeg(poster.data)
        assert image.size == (poster.width, poster.height) == (160, 120)
        assert is_marker(image.getpixel((5, 5)))  # the marker stays top-left


def test_posters_of_a_phone_video_are_upright(tmp_path):
    path = videogen.phone_portrait_mp4(tmp_path / "hp.mp4")
    for poster in poster_candidates(path, count=2):
        image = read_jpeg(poster.data)
        assert image.size == (120, 160)
        # The stored picture turned 90° counter-clockwise: its top-left corner is now bottom-left.
        assert is_marker(image.getpixel((5, 154)))
        assert not is_marker(image.getpixel((5, 5)))


def test_posters_are_at_most_1280_long(tmp_path):
    path = videogen.write_video(
        tmp_path / "besar.mp4",
        container_format="mp4",
        video_codec="libx264",
        audio_codec=None,
        seconds=0.2,
        width=1600,
        height=900,
        options={"preset": "ultrafast"},
    )
    posters = poster_candidates(path, count=1)
    assert [(p.width, p.height) for p in posters] == [(1280, 720)]
    assert read_jpeg(posters[0].data).size == (1280, 720)


# --- web copy -------------------------------------------------------------------------------


def test_transcoding_a_mov_gives_a_web_mp4(tmp_path):
    source = videogen.mov_mpeg4(tmp_path / "kamera.mov")
    info = inspect_video(source, source.name, max_bytes=LIMIT)
    seen: list[float] = []
    web = transcode_web_mp4(source, tmp_path / "web.mp4", info, progress=seen.append)
    assert web.web_playable and web.media_type == MP4
    assert web.duration == pytest.approx(info.duration, abs=0.2)
    with av.open(str(tmp_path / "web.mp4")) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"
        assert container.streams.audio[0].codec_context.name == "aac"
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 2


def test_transcoding_turns_a_phone_video_upright_and_scales_it(tmp_path):
    source = videogen.phone_portrait_mp4(tmp_path / "hp.mp4")
    info = inspect_video(source, source.name, max_bytes=LIMIT)
    web = transcode_web_mp4(source, tmp_path / "web.mp4", info, max_height=80)
    assert (web.width, web.height, web.rotation) == (60, 80, 0)
    with av.open(str(tmp_path / "web.mp4")) as container:
        image = next(container.decode(video=0)).to_image()
    assert is_marker(image.getpixel((3, 76))) and not is_marker(image.getpixel((3, 3)))


@pytest.mark.parametrize(
    ("size", "max_height", "expected"),
    [((1920, 1080), 1080, (1920, 1080)), ((3840, 2160), 1080, (1920, 1080)),
     ((1080, 1920), 1080, (606, 1080)), ((161, 121), 1080, (160, 120))],
)  # fmt: skip
def test_web_size_keeps_aspect_with_even_sides(size, max_height, expected):
    assert web_size(*size, max_height) == expected


# --- channel limits -------------------------------------------------------------------------


@pytest.fixture
def clip(tmp_path):
    path = videogen.mp4_h264(tmp_path / "klip.mp4", audio=False)
    return inspect_video(path, path.name, max_bytes=LIMIT)


def test_every_channel_limit_cites_its_source():
    for limits in CHANNEL_VIDEO_LIMITS.values():
        assert limits.source.startswith("https://")


def test_too_long_for_x(clip):
    limit = CHANNEL_VIDEO_LIMITS["x"].max_seconds
    video = replace(clip, duration=limit + 60)
    warnings = channel_warnings(video, ["x"], name="pidato.mp4")
    assert len(warnings) == 1
    assert "pidato.mp4" in warnings[0] and "X (Twitter)" in warnings[0]
    assert human_duration(limit + 60) in warnings[0] and human_duration(limit) in warnings[0]
    assert human_duration(200) == "3 min 20 s" and human_duration(140) == "2 min 20 s"


def test_too_short_and_too_big(clip):
    tiktok = CHANNEL_VIDEO_LIMITS["tiktok"]
    video = replace(clip, duration=tiktok.min_seconds / 2, size=tiktok.max_bytes + 1)
    warnings = channel_warnings(video, ["tiktok"])
    assert len(warnings) == 2
    assert human_duration(tiktok.min_seconds) in warnings[0]
    assert human_size(tiktok.max_bytes) in warnings[1]


def test_wrong_aspect_ratio(clip):
    x = CHANNEL_VIDEO_LIMITS["x"]
    tall = x.min_aspect / 2
    video = replace(clip, width=tall.numerator * 100, height=tall.denominator * 100)
    (warning,) = channel_warnings(video, ["x"])
    assert f"{x.min_aspect.numerator}:{x.min_aspect.denominator}" in warning
    assert f"{tall.numerator}:{tall.denominator}" in warning


def test_a_fitting_video_has_no_warnings(clip):
    video = replace(clip, duration=30.0, width=1280, height=720)
    assert Fraction(1280, 720) < CHANNEL_VIDEO_LIMITS["x"].max_aspect
    assert channel_warnings(video, ["website", *CHANNEL_VIDEO_LIMITS]) == []


# --- demo -----------------------------------------------------------------------------------


def test_demo_video_is_small_and_web_playable(tmp_path):
    path = tmp_path / "demo.mp4"
    make_demo_video(path, title="Warta")
    info = inspect_video(path, path.name, max_bytes=LIMIT)
    assert info.web_playable and (info.width, info.height) == (640, 360)
    assert info.duration == pytest.approx(4.0, abs=0.1)
    assert info.size < 500 * 1024
    assert path.read_bytes()[:64].find(b"moov") > 0  # index first: plays while downloading
