"""Tiny generated videos for the media tests (≤ 1 s, ≤ 160×120), made with PyAV and Pillow.

Every frame is a dark blue field with a red square in its top-left corner (a marker that shows
which way up a decoded frame is) and a white bar moving left to right.
"""

from __future__ import annotations

import io
import math
import os
import struct
import zipfile
from pathlib import Path

import av
from PIL import Image, ImageDraw

MARKER = (255, 0, 0)
BACKGROUND = (0, 0, 96)
SAMPLE_RATE = 48_000


def frame_image(index: int, width: int, height: int) -> Image.Image:
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    side = max(4, min(width, height) // 4)
    draw.rectangle((0, 0, side - 1, side - 1), fill=MARKER)
    x = (index * 7) % width
    draw.rectangle((x, height // 2, min(width - 1, x + 8), height - 1), fill=(255, 255, 255))
    return image


def _tone(start: int, count: int) -> bytes:
    """``count`` mono signed 16-bit samples of a 440 Hz sine, from sample ``start``."""
    return struct.pack(
        f"<{count}h",
        *(
            int(12000 * math.sin(2 * math.pi * 440 * (start + k) / SAMPLE_RATE))
            for k in range(count)
        ),
    )


def write_video(
    path: Path,
    *,
    container_format: str,
    video_codec: str,
    audio_codec: str | None,
    seconds: float = 1.0,
    width: int = 160,
    height: int = 120,
    fps: int = 25,
    pix_fmt: str = "yuv420p",
    rotation: int = 0,
    options: dict[str, str] | None = None,
) -> Path:
    with av.open(str(path), "w", format=container_format) as out:
        video = out.add_stream(video_codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        if options:
            video.options = options
        if rotation:
            video.set_display_rotation(rotation)
        audio = (
            out.add_stream(audio_codec, rate=SAMPLE_RATE, layout="mono") if audio_codec else None
        )
        for index in range(round(seconds * fps)):
            frame = av.VideoFrame.from_image(frame_image(index, width, height))
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            total, chunk = round(seconds * SAMPLE_RATE), 960
            for start in range(0, total, chunk):
                count = min(chunk, total - start)
                frame = av.AudioFrame(format="s16", layout="mono", samples=count)
                frame.planes[0].update(_tone(start, count))
                frame.sample_rate, frame.pts = SAMPLE_RATE, start
                out.mux(audio.encode(frame))
            out.mux(audio.encode(None))
    return path


def mp4_h264(
    path: Path,
    seconds: float = 1.0,
    width: int = 160,
    height: int = 120,
    *,
    audio: bool = True,
    rotation: int = 0,
    faststart: bool = False,
    audio_codec: str = "aac",
) -> Path:
    """The web-playable case: H.264 (+ AAC) in MP4 (another ``audio_codec`` makes it not)."""
    write_video(
        path,
        container_format="mp4",
        video_codec="libx264",
        audio_codec=audio_codec if audio else None,
        seconds=seconds,
        width=width,
        height=height,
        rotation=rotation,
        options={"preset": "ultrafast"},
    )
    if faststart:  # remux with the index (moov) at the front, as phones and Warta write it
        moved = path.with_suffix(".faststart.mp4")
        with (
            av.open(str(path)) as src,
            av.open(str(moved), "w", format="mp4", options={"movflags": "+faststart"}) as out,
        ):
            streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
            for packet in src.demux():
                if packet.dts is None:
                    continue
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
        moved.replace(path)
    return path


def phone_portrait_mp4(path: Path, seconds: float = 1.0) -> Path:
    """A phone held upright: 160×120 pixels stored, with a 90° display rotation."""
    return mp4_h264(path, seconds, 160, 120, rotation=90)


def webm_vp9(path: Path, seconds: float = 1.0, width: int = 160, height: int = 120) -> Path:
    return write_video(
        path,
        container_format="webm",
        video_codec="libvpx-vp9",
        audio_codec="libopus",
        seconds=seconds,
        width=width,
        height=height,
        options={"deadline": "realtime", "cpu-used": "8"},
    )


def mov_mpeg4(path: Path, seconds: float = 1.0, width: int = 160, height: int = 120) -> Path:
    """A QuickTime file no browser plays: MPEG-4 Part 2 video with PCM audio."""
    return write_video(
        path,
        container_format="mov",
        video_codec="mpeg4",
        audio_codec="pcm_s16le",
        seconds=seconds,
        width=width,
        height=height,
    )


def mkv_h264(path: Path, seconds: float = 1.0) -> Path:
    """Plain Matroska (DocType ``matroska``, not ``webm``)."""
    return write_video(
        path,
        container_format="matroska",
        video_codec="libx264",
        audio_codec=None,
        seconds=seconds,
        options={"preset": "ultrafast"},
    )


def audio_only_mp4(path: Path, seconds: float = 1.0) -> Path:
    """An MP4 with sound and no picture (a voice memo named .mp4)."""
    with av.open(str(path), "w", format="mp4") as out:
        audio = out.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        total = round(seconds * SAMPLE_RATE)
        for start in range(0, total, 1024):
            count = min(1024, total - start)
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            frame.planes[0].update(_tone(start, count))
            frame.sample_rate, frame.pts = SAMPLE_RATE, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    return path


def truncated(source: Path, path: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` fraction of ``source`` (an interrupted copy or upload)."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def undecodable_mp4(path: Path, seconds: float = 1.0) -> Path:
    """A well-formed MP4 whose H.264 track holds random bytes instead of coded pictures."""
    reference = mp4_h264(path.with_suffix(".ref.mp4"), seconds, audio=False)
    with av.open(str(reference)) as src, av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(video=0):
            if packet.dts is None:
                continue
            garbage = av.Packet(os.urandom(max(64, packet.size)))
            garbage.pts, garbage.dts, garbage.time_base = packet.pts, packet.dts, packet.time_base
            garbage.is_keyframe = packet.is_keyframe
            garbage.stream = stream
            out.mux(garbage)
    reference.unlink()
    return path


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    frame_image(0, 64, 48).save(buffer, "JPEG")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("berita.txt", "isi")
    return buffer.getvalue()


HTML_BYTES = b"<!DOCTYPE html><html><head><title>x</title></head><body>video</body></html>\n"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
