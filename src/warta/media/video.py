"""Videos with PyAV: check an upload by its content, read its facts, pick poster frames, make a
web-playable copy, warn about channel limits, and generate the demo clip.

Accepted: MP4, QuickTime (MOV) and WebM (Matroska with the ``webm`` DocType), the files phones,
cameras and browsers record. Plain Matroska (``.mkv``), AVI and the rest are refused as "a
video of a kind Warta does not take": no browser plays them, no phone records them, and every
editor exports MP4 instead.

``inspect_video`` runs inside the web request, so it never decodes more than the first picture:
it reads the container's header, walks the file's top-level structure (to see a copy cut short),
and decodes a bounded number of packets. Anything PyAV raises on a hostile file becomes a
``MediaRefused``, never an error page. The other functions run in the worker and stream frame by
frame, so their memory does not grow with the video's length.
"""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from warta.media import types
from warta.media.errors import MediaRefused
from warta.media.limits import human_size
from warta.media.types import MOV, MP4, WEBM, MediaType
from warta.publishing.channels import channel_name

ACCEPTED_TYPES = (MP4, MOV, WEBM)
WEB_VIDEO_CODECS = frozenset({"h264"})
WEB_AUDIO_CODECS = frozenset({"aac"})
WEB_PIXEL_FORMATS = frozenset({"yuv420p", "yuvj420p"})
POSTER_LONG_SIDE = 1280
POSTER_QUALITY = 85
# Bounds of the work done inside a request: packets demuxed to find the first picture, and
# frames decoded after a seek to reach a poster's time (a keyframe interval is rarely longer).
PROBE_PACKETS = 64
SEEK_FRAMES = 600
_GB = 1024 * 1024 * 1024
_MB = 1024 * 1024


@dataclass(frozen=True)
class VideoInfo:
    """What Warta knows of a video. ``width``/``height`` are as displayed (after the rotation
    the file asks for); ``rotation`` is the counter-clockwise turn, in degrees (0, 90, 180 or
    270), that makes the stored pictures upright."""

    media_type: MediaType
    width: int
    height: int
    duration: float
    frame_rate: float
    video_codec: str
    audio_codec: str | None
    size: int
    bit_rate: int | None
    rotation: int
    web_playable: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the media type as its MIME type)."""
        data = asdict(self)
        data["media_type"] = self.media_type.mime
        return data


@dataclass(frozen=True)
class PosterFrame:
    """A candidate poster: the frame at ``time`` seconds, upright, as JPEG bytes (no metadata)."""

    time: float
    data: bytes
    width: int
    height: int


def _refuse(code: str, message: str, name: str, **values: Any) -> MediaRefused:
    return MediaRefused(code, message % {"name": name, **values})


# --- structure ------------------------------------------------------------------------------


def _bmff_complete(handle: Any, size: int) -> bool:
    """Whether an MP4/QuickTime file's top-level boxes all fit in the file and one is the
    index (``moov``): a copy cut short loses the index (written last by most muxers) or ends
    inside the media data box."""
    at, has_index = 0, False
    while at + 8 <= size:
        handle.seek(at)
        header = handle.read(16)
        box_size, box_type = struct.unpack(">I4s", header[:8])
        if box_size == 1 and len(header) == 16:
            box_size = struct.unpack(">Q", header[8:16])[0]
        elif box_size == 0:  # "extends to the end of the file"
            box_size = size - at
        if box_size < 8:
            return False
        has_index = has_index or box_type == b"moov"
        at += box_size
    return has_index and at <= size


def _ebml_number(data: bytes, at: int, *, keep_marker: bool = False) -> tuple[int, int] | None:
    if at >= len(data) or data[at] == 0:
        return None
    length = 9 - data[at].bit_length()
    if at + length > len(data):
        return None
    value = data[at] if keep_marker else data[at] & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


def _webm_complete(handle: Any, size: int) -> bool:
    """Whether a WebM file's Segment (which holds everything after the EBML header) ends
    within the file; a live recording may leave its size unknown, which cannot be checked."""
    handle.seek(0)
    head = handle.read(64)
    header_size = _ebml_number(head, 4)
    if header_size is None:
        return False
    at = 4 + header_size[1] + header_size[0]
    handle.seek(at)
    data = handle.read(12)
    if data[:4] != b"\x18\x53\x80\x67":  # Segment
        return False
    segment = _ebml_number(data, 4)
    if segment is None:
        return False
    value, length = segment
    if value == (1 << (7 * length)) - 1:  # all ones: unknown size
        return True
    return at + 4 + length + value <= size


def _is_complete(path: Path, media_type: MediaType, size: int) -> bool:
    with open(path, "rb") as handle:
        if media_type == WEBM:
            return _webm_complete(handle, size)
        return _bmff_complete(handle, size)


# --- reading --------------------------------------------------------------------------------


def _first_frame(container: Any, stream: Any) -> Any | None:
    """The first decodable picture within ``PROBE_PACKETS`` packets, else ``None``."""
    for count, packet in enumerate(container.demux(stream)):
        if count >= PROBE_PACKETS:
            break
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            continue
        if frames:
            return frames[0]
    return None


def _right_angle(degrees: float) -> int:
    return round(degrees / 90.0) * 90 % 360


def _frame_rotation(frame: Any) -> int:
    try:
        return _right_angle(frame.rotation)
    except (AttributeError, ValueError, TypeError):
        return 0


def _duration(container: Any, stream: Any) -> float:
    """Seconds, from the container's header or the stream's; else from the last packets (a
    WebM recorded by a browser often has no duration in its header)."""
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    try:
        container.seek(2**62, backward=True, any_frame=False, stream=stream)
        end = 0.0
        for count, packet in enumerate(container.demux(stream)):
            if count >= SEEK_FRAMES:
                break
            if packet.pts is not None and packet.time_base:
                end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        return max(0.0, end - start)
    except av.error.FFmpegError:
        return 0.0


def _frame_rate(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else 0.0


def inspect_video(
    path: Path, name: str, *, max_bytes: int, max_seconds: float | None = None
) -> VideoInfo:
    """The facts of a video file, read from its content; ``MediaRefused`` (with a message that
    names the file and the reason) when Warta will not take it."""
    size = path.stat().st_size
    if size == 0:
        raise _refuse("empty", _("%(name)s is empty (0 bytes)."), name)
    if size > max_bytes:
        raise _refuse(
            "too-large",
            _("%(name)s is %(size)s; a video may be at most %(limit)s."),
            name,
            size=human_size(size),
            limit=human_size(max_bytes),
        )
    with open(path, "rb") as handle:
        head = handle.read(types.SNIFF_BYTES)
    media_type = types.sniff_video(head)
    if media_type is None:
        kind = types.identify(head)
        what = types.describe(head)
        if kind in types.VIDEO_KINDS or kind in types.IMAGE_KINDS:
            raise _refuse(
                "wrong-type",
                _("%(name)s is %(what)s; Warta takes videos in MP4, MOV or WebM."),
                name,
                what=what,
            )
        raise _refuse("not-media", _("%(name)s is not a video: it is %(what)s."), name, what=what)
    truncated = _refuse(
        "truncated",
        _("%(name)s is incomplete: the file ends early. Upload the whole video again."),
        name,
    )
    if not _is_complete(path, media_type, size):
        raise truncated
    unreadable = _refuse(
        "unreadable",
        _("%(name)s cannot be read as a video: it is damaged or uses a format Warta cannot play."),
        name,
    )
    try:
        with av.open(str(path), metadata_errors="replace") as container:
            if not container.streams.video and not container.streams.audio:
                raise unreadable
            if not container.streams.video:
                raise _refuse(
                    "wrong-type",
                    _(
                        "%(name)s has no picture, only sound; Warta takes it as a video only "
                        "with a picture."
                    ),
                    name,
                )
            stream = container.streams.video[0]
            stream.thread_type = "SLICE"  # frame threads would hold back the first picture
            codec = stream.codec_context
            audio_codec = (
                container.streams.audio[0].codec_context.name if container.streams.audio else None
            )
            frame = _first_frame(container, stream)
            if frame is None:
                raise _refuse(
                    "unreadable",
                    _(
                        "%(name)s cannot be decoded: its pictures are damaged or in a format "
                        "Warta cannot read (%(codec)s)."
                    ),
                    name,
                    codec=codec.name,
                )
            rotation = _frame_rotation(frame)
            width, height = frame.width, frame.height
            aspect = stream.sample_aspect_ratio
            if aspect and aspect != 1:  # non-square pixels: the displayed width differs
                width = max(1, round(width * float(aspect)))
            if rotation in (90, 270):
                width, height = height, width
            video_codec = codec.name
            pixel_format = codec.pix_fmt or frame.format.name
            duration = _duration(container, stream)
            frame_rate = _frame_rate(stream)
            bit_rate = container.bit_rate or None
    except MediaRefused:
        raise
    except Exception:  # whatever FFmpeg raises on a hostile file is a refusal, not a crash
        raise unreadable from None
    if max_seconds is not None and duration > max_seconds:
        raise _refuse(
            "too-long",
            _("%(name)s is %(length)s long; a video may be at most %(limit)s."),
            name,
            length=human_duration(duration),
            limit=human_duration(max_seconds),
        )
    return VideoInfo(
        media_type=media_type,
        width=width,
        height=height,
        duration=round(duration, 3),
        frame_rate=round(frame_rate, 3),
        video_codec=video_codec,
        audio_codec=audio_codec,
        size=size,
        bit_rate=bit_rate,
        rotation=rotation,
        web_playable=(
            media_type == MP4
            and video_codec in WEB_VIDEO_CODECS
            and pixel_format in WEB_PIXEL_FORMATS
            and (audio_codec is None or audio_codec in WEB_AUDIO_CODECS)
        ),
    )


# --- poster frames --------------------------------------------------------------------------


def _scaled(width: int, height: int, long_side: int) -> tuple[int, int]:
    scale = min(1.0, long_side / max(width, height))
    return max(2, round(width * scale)), max(2, round(height * scale))


def _upright_image(frame: Any, long_side: int) -> Image.Image:
    """The frame as an RGB image at most ``long_side`` pixels long, turned upright."""
    width, height = _scaled(frame.width, frame.height, long_side)
    image = frame.reformat(width=width, height=height, format="rgb24").to_image()
    rotation = _frame_rotation(frame)
    if rotation:
        image = image.rotate(rotation, expand=True)  # PIL turns counter-clockwise too
    return image


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=POSTER_QUALITY, optimize=True)  # no EXIF, no XMP
    return buffer.getvalue()


def poster_candidates(path: Path, count: int = 4) -> list[PosterFrame]:
    """Up to ``count`` frames spread over the video (at 10 %, 35 %, 60 % and 85 % of it for
    four), upright and at most 1280 px long, for Staf Humas to choose the poster from."""
    fractions = [0.1 + 0.75 * i / (count - 1) for i in range(count)] if count > 1 else [0.1]
    posters: list[PosterFrame] = []
    with av.open(str(path), metadata_errors="replace") as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = _duration(container, stream)
        start = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
        for fraction in fractions:
            target = start + duration * fraction
            frame = _frame_at(container, stream, target)
            if frame is None:
                continue
            time = round(max(0.0, (frame.time or target) - start), 3)
            if any(poster.time == time for poster in posters):
                continue
            image = _upright_image(frame, POSTER_LONG_SIDE)
            posters.append(PosterFrame(time, _jpeg(image), image.width, image.height))
    return posters


def _frame_at(container: Any, stream: Any, seconds: float) -> Any | None:
    """The first frame at or after ``seconds`` (seek to the keyframe before, then decode)."""
    try:
        container.seek(int(seconds / stream.time_base), backward=True, stream=stream)
        stream.codec_context.flush_buffers()
        last = None
        for count, frame in enumerate(container.decode(stream)):
            last = frame
            if count >= SEEK_FRAMES or frame.time is None or frame.time >= seconds - 1e-3:
                return frame
        return last
    except av.error.FFmpegError:
        return None


# --- web copy -------------------------------------------------------------------------------


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def web_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """Displayed size scaled down to ``max_height`` (never up), both sides even."""
    if height > max_height:
        width, height = width * max_height / height, max_height
    return _even(width), _even(height)


def _video_graph(in_stream: Any, rotation: int, width: int, height: int) -> Any:
    """Turn upright (``rotation`` counter-clockwise), scale, and convert to yuv420p."""
    graph = av.filter.Graph()
    nodes = [graph.add_buffer(template=in_stream)]
    turns = {90: [("transpose", "cclock")], 180: [("hflip", ""), ("vflip", "")]}
    turns[270] = [("transpose", "clock")]
    for name, args in turns.get(rotation, []):
        nodes.append(graph.add(name, args))
    nodes.append(graph.add("scale", f"{width}:{height}:flags=bicubic"))
    nodes.append(graph.add("format", "yuv420p"))
    nodes.append(graph.add("buffersink"))
    graph.link_nodes(*nodes).configure()
    return graph


def transcode_web_mp4(
    src: Path,
    dest: Path,
    info: VideoInfo,
    *,
    max_height: int = 1080,
    progress: Callable[[float], None] | None = None,
) -> VideoInfo:
    """Write a copy every browser plays: MP4 (index first) with H.264 yuv420p video, upright
    and at most ``max_height`` tall, and AAC sound when the source has sound."""
    width, height = web_size(info.width, info.height, max_height)
    reported = -1.0
    with (
        av.open(str(src), metadata_errors="replace") as source,
        av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        in_video = source.streams.video[0]
        in_video.thread_type = "AUTO"
        in_audio = source.streams.audio[0] if source.streams.audio else None
        rate = in_video.average_rate or in_video.guessed_rate or Fraction(25)
        video = out.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "23", "profile": "high"}
        video.codec_context.time_base = in_video.time_base
        audio = None
        if in_audio is not None:
            in_audio.thread_type = "AUTO"
            channels = min(2, in_audio.codec_context.channels or 1)
            audio = out.add_stream(
                "aac",
                rate=in_audio.codec_context.sample_rate or 48_000,
                layout="stereo" if channels == 2 else "mono",
            )
            audio.bit_rate = 128_000
        graph = _video_graph(in_video, info.rotation, width, height)
        start = float(in_video.start_time * in_video.time_base) if in_video.start_time else 0.0
        streams = [s for s in (in_video, in_audio) if s is not None]
        for packet in source.demux(*streams):
            for frame in packet.decode():
                if packet.stream is in_video:
                    graph.push(frame)
                    for upright in _pulled(graph):
                        out.mux(video.encode(upright))
                    if progress and info.duration and frame.time is not None:
                        done = min(1.0, max(0.0, (frame.time - start) / info.duration))
                        if done - reported >= 0.01:
                            reported = done
                            progress(done)
                elif audio is not None:
                    frame.pts = None  # the encoder's resampler renumbers the samples
                    out.mux(audio.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            out.mux(audio.encode(None))
    if progress:
        progress(1.0)
    return inspect_video(dest, dest.name, max_bytes=dest.stat().st_size + 1)


def _pulled(graph: Any) -> Iterable[Any]:
    while True:
        try:
            yield graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            return


# --- channel limits -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelVideoLimits:
    """A platform's documented limits for a video posted through its API; ``None`` where it
    documents none. Aspect ratios are width:height."""

    max_seconds: float | None = None
    min_seconds: float | None = None
    max_bytes: int | None = None
    min_aspect: Fraction | None = None
    max_aspect: Fraction | None = None
    source: str = ""


CHANNEL_VIDEO_LIMITS: dict[str, ChannelVideoLimits] = {
    # Instagram Reels (every API video is published as a reel): 3 s to 15 min, 300 MB,
    # aspect 0.01:1 to 10:1 (9:16 recommended) — "Reel Specifications" of
    # https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
    "instagram": ChannelVideoLimits(
        max_seconds=15 * 60,
        min_seconds=3,
        max_bytes=300 * _MB,
        min_aspect=Fraction(1, 100),
        max_aspect=Fraction(10, 1),
        source="https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media",
    ),
    # Facebook Page video (POST /{page-id}/videos): Meta's publishing guide
    # https://developers.facebook.com/docs/video-api/guides/publishing gives no figure of its
    # own; 4 h and 10 GB as summarised in
    # https://www.ayrshare.com/docs/media-guidelines/facebook-pages (no aspect ratio limit).
    "facebook": ChannelVideoLimits(
        max_seconds=4 * 3600,
        max_bytes=10 * _GB,
        source="https://developers.facebook.com/docs/video-api/guides/publishing",
    ),
    # YouTube videos.insert: "Maximum file size: 256GB"
    # https://developers.google.com/youtube/v3/docs/videos/insert ; 12 hours for a verified
    # channel (15 minutes until the channel is verified)
    # https://support.google.com/youtube/answer/71673
    "youtube": ChannelVideoLimits(
        max_seconds=12 * 3600,
        max_bytes=256 * _GB,
        source="https://developers.google.com/youtube/v3/docs/videos/insert",
    ),
    # X chunked media upload: duration 0.5 s to 140 s, file size at most 512 MB, aspect ratio
    # 1:3 to 3:1 — https://docs.x.com/x-api/media/quickstart/best-practices
    "x": ChannelVideoLimits(
        max_seconds=140,
        min_seconds=0.5,
        max_bytes=512 * _MB,
        min_aspect=Fraction(1, 3),
        max_aspect=Fraction(3, 1),
        source="https://docs.x.com/x-api/media/quickstart/best-practices",
    ),
    # TikTok Content Posting API: at most 4 GB and 10 minutes (the creator's own maximum, from
    # query_creator_info, may be 3 or 5 minutes); 3 s minimum —
    # https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
    "tiktok": ChannelVideoLimits(
        max_seconds=10 * 60,
        min_seconds=3,
        max_bytes=4 * _GB,
        source="https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide",
    ),
}


def human_duration(seconds: float) -> str:
    """``3 min 20 s``, ``45 s``, ``0.5 s``, ``1 h 5 min`` in the active language."""
    if seconds < 10 and seconds != int(seconds):
        return _("%(seconds)s s") % {"seconds": f"{seconds:.1f}".rstrip("0").rstrip(".")}
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if minutes and secs:
        return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": secs}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": secs}


def _ratio(value: Fraction) -> str:
    return f"{value.numerator}:{value.denominator}"


def channel_warnings(info: VideoInfo, channels: Iterable[str], *, name: str = "") -> list[str]:
    """Why the video may be refused by each of ``channels`` (length, size, aspect ratio), in
    the active language; empty when it fits them all. Channels without limits are skipped."""
    name = name or _("This video")
    warnings: list[str] = []
    aspect = Fraction(info.width, info.height).limit_denominator(1000) if info.height else None
    for code in channels:
        limits = CHANNEL_VIDEO_LIMITS.get(code)
        if limits is None:
            continue
        values = {"name": name, "channel": channel_name(code)}
        if limits.max_seconds is not None and info.duration > limits.max_seconds:
            warnings.append(
                _("%(name)s is %(length)s long; %(channel)s accepts at most %(limit)s.")
                % {**values, "length": human_duration(info.duration),
                   "limit": human_duration(limits.max_seconds)}
            )  # fmt: skip
        if limits.min_seconds is not None and info.duration < limits.min_seconds:
            warnings.append(
                _("%(name)s is %(length)s long; %(channel)s needs at least %(limit)s.")
                % {**values, "length": human_duration(info.duration),
                   "limit": human_duration(limits.min_seconds)}
            )  # fmt: skip
        if limits.max_bytes is not None and info.size > limits.max_bytes:
            warnings.append(
                _("%(name)s is %(size)s; %(channel)s accepts at most %(limit)s.")
                % {**values, "size": human_size(info.size), "limit": human_size(limits.max_bytes)}
            )
        low, high = limits.min_aspect, limits.max_aspect
        if aspect is not None and (
            (low is not None and aspect < low) or (high is not None and aspect > high)
        ):
            warnings.append(
                _(
                    "%(name)s is %(width)d×%(height)d (%(ratio)s); %(channel)s accepts aspect "
                    "ratios from %(low)s to %(high)s."
                )
                % {**values, "width": info.width, "height": info.height, "ratio": _ratio(aspect),
                   "low": _ratio(low) if low else "–", "high": _ratio(high) if high else "–"}
            )  # fmt: skip
    return warnings


# --- demo clip ------------------------------------------------------------------------------

_BARS = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192),
         (192, 0, 0), (0, 0, 192)]  # fmt: skip
_DEMO_FPS = 25
_DEMO_RATE = 48_000


def _demo_background(width: int, height: int, title: str) -> Image.Image:
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    bar = width / len(_BARS)
    for index, colour in enumerate(_BARS):
        draw.rectangle((round(index * bar), 0, round((index + 1) * bar), height), fill=colour)
    if title:
        font = ImageFont.load_default(size=max(12, height // 12))
        box = draw.textbbox((0, 0), title, font=font)
        x = (width - (box[2] - box[0])) // 2
        y = height // 12
        pad = height // 40
        draw.rectangle(
            (x - pad, y - pad, x + box[2] - box[0] + pad, y + box[3] - box[1] + 2 * pad),
            fill=(0, 0, 0),
        )
        draw.text((x - box[0], y - box[1] + pad // 2), title, font=font, fill=(255, 255, 255))
    return image


def _demo_tone(start: int, count: int) -> bytes:
    """Mono 16-bit samples of a quiet 440 Hz tone."""
    step = 2 * math.pi * 440 / _DEMO_RATE
    return struct.pack(
        f"<{count}h", *(int(6000 * math.sin(step * (start + k))) for k in range(count))
    )


def make_demo_video(
    dest: Path, *, seconds: float = 4.0, width: int = 640, height: int = 360, title: str = ""
) -> None:
    """A short generated MP4 (H.264/AAC, index first): colour bars, an optional title and a
    white block crossing the picture, with a quiet tone. No third-party footage."""
    width, height = _even(width), _even(height)
    background = _demo_background(width, height, title)
    block = max(8, height // 6)
    frames = max(1, round(seconds * _DEMO_FPS))
    with av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=_DEMO_FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": "30", "tune": "animation"}
        audio = out.add_stream("aac", rate=_DEMO_RATE, layout="mono")
        audio.bit_rate = 64_000
        for index in range(frames):
            image = background.copy()
            x = round((width - block) * index / max(1, frames - 1))
            ImageDraw.Draw(image).rectangle(
                (x, height - 2 * block, x + block, height - block), fill=(255, 255, 255)
            )
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        total = round(seconds * _DEMO_RATE)
        for start in range(0, total, 1024):
            count = min(1024, total - start)
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            frame.planes[0].update(_demo_tone(start, count))
            frame.sample_rate, frame.pts = _DEMO_RATE, start
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))


def info_from_dict(data: dict[str, Any]) -> VideoInfo | None:
    """A ``VideoInfo`` back from ``as_dict()`` (as stored with an asset); None if incomplete."""
    media_type = next((t for t in ACCEPTED_TYPES if t.mime == data.get("media_type")), None)
    try:
        return VideoInfo(
            media_type=media_type or MP4,
            **{key: data[key] for key in VideoInfo.__dataclass_fields__ if key != "media_type"},
        )
    except (KeyError, TypeError):
        return None


def remux_web_mp4(src: Path, dest: Path) -> None:
    """Copy a web-playable upright MP4's streams into a new MP4 without re-encoding and without
    the container's metadata (a phone writes the place it was filmed into it): the public copy
    of a video that needs no transcoding."""
    with (
        av.open(str(src), metadata_errors="replace") as source,
        av.open(str(dest), "w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        wanted = [source.streams.video[0]]
        if source.streams.audio:
            wanted.append(source.streams.audio[0])
        copies = {stream.index: out.add_stream_from_template(stream) for stream in wanted}
        for copy in copies.values():
            copy.metadata.clear()
        for packet in source.demux(*wanted):
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            packet.stream = copies[packet.stream.index]
            out.mux(packet)
