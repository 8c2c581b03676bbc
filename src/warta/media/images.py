"""Photos: checked by their content, and turned into upright, metadata-free renditions.

Plain functions on file paths (no models, no storage): the media services call them, the
worker runs ``render_photo``. libvips (pyvips) does the work; HEIC/HEIF photos from iPhones are
decoded with pillow-heif, because the libvips wheel has no HEVC decoder.

``inspect_image`` refuses, with ``MediaRefused`` naming the file and the reason, in this order:
an empty file; one over ``max_bytes``; anything that is not a JPEG, PNG, WebP, GIF or HEIC
photo by its first bytes (SVG explicitly: libvips could load it, and an SVG can carry scripts;
HTML, PDF, ZIP and every other kind are never shown to libvips); a photo declaring more than
``max_pixels`` in its header (a decompression bomb, refused before any pixel is decoded); and a
photo that does not decode to its end (truncated or damaged). The check decodes at most a
256-pixel preview with shrink-on-load (JPEG, WebP) or streaming (PNG, GIF), so its memory stays
small whatever the photo's size; HEIC has no shrink-on-load and is decoded whole, bounded by
``max_pixels``. A wrong extension is not a refusal: the stored type comes from the content
(``extension_mismatch`` words a note). A JPEG with an archive appended (a "polyglot") is
accepted: the original is kept private and never served as is; renditions are re-encoded.

``render_photo`` decodes a photo once, at the smallest size the largest rendition needs
(shrink-on-load), turns it upright from its EXIF orientation, converts it to sRGB, and makes
every rendition from that one image: fitted (web) or cropped around the focus point
(thumbnail, per-network), never enlarged beyond the original. Outputs carry no metadata at
all — no EXIF, GPS, camera serial, XMP, IPTC or ICC profile — except, when given, a small XMP
packet Warta writes itself with the rights and caption.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pyvips
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.media.errors import MediaRefused
from warta.media.types import (
    GIF,
    HEIC,
    IMAGE_KINDS,
    JPEG,
    PNG,
    SNIFF_BYTES,
    VIDEO_KINDS,
    WEBP,
    MediaType,
    describe_kind,
    describe_type,
    identify,
    sniff_image,
    type_of_extension,
)

# The libvips loader each accepted type must be read with (never chosen by libvips itself).
_LOADERS = {JPEG: "jpegload", PNG: "pngload", WEBP: "webpload", GIF: "gifload"}
_CHECK_SIZE = 256  # the scale of the decoding check, where the format can shrink on load
JPEG_QUALITY = 85
WEBP_QUALITY = 80
WEBP_EFFORT = 4  # libwebp's default "method"
RENDER_THREADS = os.cpu_count() or 1


@dataclass(frozen=True)
class ImageInfo:
    """An accepted photo: its type (from the content) and its size as displayed, i.e. after
    the EXIF orientation (``orientation`` is the EXIF value read, 1 when absent)."""

    media_type: MediaType
    width: int
    height: int
    orientation: int


@dataclass(frozen=True)
class RenditionSpec:
    """One rendition Warta makes of every photo.

    ``crop`` False: fitted inside ``width`` × (``height`` or ``width``), i.e. ``width`` is the
    long side when ``height`` is None. ``crop`` True: cut to the aspect ratio
    ``width``:``height`` around the focus point, then scaled to exactly that size (smaller
    when the original is smaller: never enlarged).
    """

    name: str
    width: int
    height: int | None
    crop: bool
    format: str  # "jpeg" | "webp"
    label: str


PHOTO_SPECS: tuple[RenditionSpec, ...] = (
    RenditionSpec("web-jpeg", 1600, None, False, "jpeg", gettext_lazy("Web (JPEG)")),
    RenditionSpec("web-webp", 1600, None, False, "webp", gettext_lazy("Web (WebP)")),
    RenditionSpec("thumb", 400, 300, True, "jpeg", gettext_lazy("Thumbnail")),
    RenditionSpec("ig-portrait", 1080, 1350, True, "jpeg", gettext_lazy("Instagram portrait")),
    RenditionSpec("ig-square", 1080, 1080, True, "jpeg", gettext_lazy("Instagram square")),
    RenditionSpec("landscape", 1200, 675, True, "jpeg", gettext_lazy("Facebook and X")),
    RenditionSpec("og", 1200, 630, True, "jpeg", gettext_lazy("Link preview (OpenGraph)")),
)
SPECS_BY_NAME = {spec.name: spec for spec in PHOTO_SPECS}


@dataclass(frozen=True)
class MadeRendition:
    spec: str
    data: bytes
    width: int
    height: int
    media_type: MediaType


# ---------------------------------------------------------------------------------------------
# Checking


def _refused(code: str, message: str, **values: object) -> MediaRefused:
    return MediaRefused(code, message % values)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size < 1024**3 else f"{size / 1024**3:.1f} GB"


def _orientation_of(image: pyvips.Image) -> int:
    if image.get_typeof("orientation") == 0:
        return 1
    value = image.get("orientation")
    return value if 1 <= value <= 8 else 1


def _upright_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    return (height, width) if orientation >= 5 else (width, height)


def inspect_image(path: Path, name: str, *, max_bytes: int, max_pixels: int) -> ImageInfo:
    """The photo's type and displayed size, read from its content; ``MediaRefused`` otherwise
    (see the module's docstring for what is refused and in which order)."""
    size = path.stat().st_size
    if size == 0:
        raise _refused("empty", _("%(name)s is empty (0 bytes). Upload it again."), name=name)
    if size > max_bytes:
        raise _refused(
            "too-large",
            _("%(name)s is %(size)s, larger than the %(limit)s allowed for a photo."),
            name=name,
            size=_megabytes(size),
            limit=_megabytes(max_bytes),
        )
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    media_type = _accepted_type(head, name)
    if media_type == HEIC:
        width, height, orientation = _check_heic(path, name, max_pixels)
    else:
        width, height, orientation = _check_vips(path, name, media_type, max_pixels)
    width, height = _upright_size(width, height, orientation)
    return ImageInfo(media_type=media_type, width=width, height=height, orientation=orientation)


def _accepted_type(head: bytes, name: str) -> MediaType:
    media_type = sniff_image(head)
    if media_type is not None:
        return media_type
    kind = identify(head)
    what = describe_kind(kind)
    if kind == "svg":
        raise _refused(
            "svg",
            _(
                "%(name)s is an SVG drawing. Warta does not take SVG files because they can "
                "contain scripts; export the picture as PNG or JPEG and upload that."
            ),
            name=name,
        )
    if kind in IMAGE_KINDS or kind in VIDEO_KINDS:
        raise _refused(
            "wrong-type",
            _(
                "%(name)s is %(what)s. Warta takes photos as JPEG, PNG, WebP, HEIC or GIF; "
                "convert it to JPEG and upload that."
            ),
            name=name,
            what=what,
        )
    raise _refused(
        "not-media",
        _("%(name)s is really %(what)s, not a photo (JPEG, PNG, WebP, HEIC or GIF)."),
        name=name,
        what=what,
    )


def _bomb(name: str, width: int, height: int, max_pixels: int) -> MediaRefused:
    return _refused(
        "bomb",
        _(
            "%(name)s declares %(width)s × %(height)s pixels, more than the %(limit)s million "
            "Warta accepts. Upload a smaller photo."
        ),
        name=name,
        width=width,
        height=height,
        limit=f"{max_pixels / 1_000_000:.3g}",
    )


def _unreadable(name: str, media_type: MediaType) -> MediaRefused:
    return _refused(
        "unreadable",
        _("%(name)s looks like %(what)s but cannot be read. Export it again and upload that."),
        name=name,
        what=describe_type(media_type),
    )


def _truncated(name: str, media_type: MediaType) -> MediaRefused:
    return _refused(
        "truncated",
        _(
            "%(name)s is %(what)s that is incomplete or damaged (it does not decode to its "
            "end). Upload the original file again."
        ),
        name=name,
        what=describe_type(media_type),
    )


_ENDS_EARLY = ("premature end", "end of file", "unexpected end", "truncated")


def _unreadable_or_truncated(error: Exception, name: str, media_type: MediaType) -> MediaRefused:
    """A header that cannot be read: "truncated" when the decoder says the data ends early."""
    text = str(error).lower()
    if any(words in text for words in _ENDS_EARLY):
        return _truncated(name, media_type)
    return _unreadable(name, media_type)


def _check_vips(
    path: Path, name: str, media_type: MediaType, max_pixels: int
) -> tuple[int, int, int]:
    loader = getattr(pyvips.Image, _LOADERS[media_type])
    try:
        header = loader(str(path), access="sequential")  # reads the header only
        width, height = header.width, header.height
        orientation = _orientation_of(header)
    except pyvips.Error as error:
        raise _unreadable_or_truncated(error, name, media_type) from None
    if width * height > max_pixels:
        raise _bomb(name, width, height, max_pixels)
    # Decode the whole file, with the same loader, streaming and at a small scale where the
    # format allows (JPEG at 1/8, WebP scaled to the preview size), so memory stays small.
    options: dict[str, object] = {}
    if media_type == JPEG:
        options["shrink"] = 8
    elif media_type == WEBP:
        options["scale"] = min(1.0, _CHECK_SIZE / max(width, height))
    try:
        loader(str(path), access="sequential", fail_on="error", **options).avg()
    except pyvips.Error:
        raise _truncated(name, media_type) from None
    return width, height, orientation


def _check_heic(path: Path, name: str, max_pixels: int) -> tuple[int, int, int]:
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=True)
        width, height = heif.size  # as displayed: libheif applies the irot/imir boxes
    except Exception as error:  # whatever libheif raises on an odd file is a refusal
        raise _unreadable_or_truncated(error, name, HEIC) from None
    if width * height > max_pixels:
        raise _bomb(name, width, height, max_pixels)
    try:
        heif.data  # noqa: B018  (decodes the primary image)
    except Exception:
        raise _truncated(name, HEIC) from None
    return width, height, 1


def extension_mismatch(name: str, media_type: MediaType) -> str | None:
    """A note when a file's name claims another type than its content ("foto.png is really a
    JPEG photo; it is kept as .jpg"); ``None`` when the name agrees or claims nothing known."""
    claimed = type_of_extension(name)
    if claimed is None or claimed == media_type:
        return None
    return _("%(name)s is really %(what)s; Warta keeps it as .%(extension)s.") % {
        "name": name,
        "what": describe_type(media_type),
        "extension": media_type.extension,
    }


# ---------------------------------------------------------------------------------------------
# Renditions


def focus_crop_box(
    width: int, height: int, target_w: int, target_h: int, focus: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of aspect ``target_w``:``target_h`` inside a ``width``×``height`` image,
    placed so that the focus point (fractions of the image, clamped to 0..1) is as near its
    centre as the image's edges allow: (left, top, box width, box height)."""
    if target_w * height > target_h * width:  # the target is wider: keep the whole width
        box_w = width
        box_h = min(height, max(1, round(width * target_h / target_w)))
    else:
        box_h = height
        box_w = min(width, max(1, round(height * target_w / target_h)))
    fx = min(1.0, max(0.0, focus[0]))
    fy = min(1.0, max(0.0, focus[1]))
    left = min(width - box_w, max(0, round(fx * width - box_w / 2)))
    top = min(height - box_h, max(0, round(fy * height - box_h / 2)))
    return left, top, box_w, box_h


def _output_size(spec: RenditionSpec, width: int, height: int) -> tuple[int, int]:
    """A rendition's size for an upright ``width``×``height`` original (never enlarged)."""
    if spec.crop:
        assert spec.height is not None
        _left, _top, box_w, box_h = focus_crop_box(width, height, spec.width, spec.height, (0, 0))
        if box_w >= spec.width:
            return spec.width, spec.height
        return box_w, box_h
    bound_h = spec.height or spec.width
    scale = min(1.0, spec.width / width, bound_h / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _working_scale(specs: Iterable[RenditionSpec], width: int, height: int) -> float:
    """How far the original can be shrunk and still serve every spec at full quality."""
    needed = 0.0
    for spec in specs:
        out_w, out_h = _output_size(spec, width, height)
        if spec.crop:
            assert spec.height is not None
            _l, _t, box_w, box_h = focus_crop_box(width, height, spec.width, spec.height, (0, 0))
            needed = max(needed, out_w / box_w, out_h / box_h)
        else:
            needed = max(needed, out_w / width, out_h / height)
    return min(1.0, needed)


def _load_heic(path: Path) -> pyvips.Image:
    import pillow_heif

    heif = pillow_heif.open_heif(str(path), convert_hdr_to_8bit=True)
    bands = len(heif.mode)  # "RGB" or "RGBA"
    width, height = heif.size
    data, stride = heif.data, heif.stride
    row = width * bands
    if stride != row:
        view = memoryview(data)
        data = b"".join(view[y * stride : y * stride + row] for y in range(height))
    image = pyvips.Image.new_from_memory(data, width, height, bands, "uchar")
    image = image.copy(interpretation="srgb")
    icc = heif.info.get("icc_profile")
    if icc:
        image.set_type(pyvips.GValue.blob_type, "icc-profile-data", icc)
    return image


def _load_working(
    path: Path, media_type: MediaType, specs: Sequence[RenditionSpec]
) -> tuple[pyvips.Image, tuple[int, int]]:
    """The photo decoded once, upright and in sRGB, at the smallest size every spec can be made
    from; and the original's upright size."""
    if media_type == HEIC:
        image = _load_heic(path)
        width, height = image.width, image.height
        scale = _working_scale(specs, width, height)
        if scale < 1:
            image = image.resize(scale, kernel="lanczos3")
    else:
        header = getattr(pyvips.Image, _LOADERS[media_type])(str(path))
        width, height = _upright_size(header.width, header.height, _orientation_of(header))
        scale = _working_scale(specs, width, height)
        # thumbnail() uses shrink-on-load (JPEG, WebP) and applies the EXIF orientation.
        image = pyvips.Image.thumbnail(
            str(path),
            math.ceil(width * scale),
            height=math.ceil(height * scale),
            size="down",
        )
    return _to_srgb(image).copy_memory(), (width, height)


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (with alpha when the photo has it), with any embedded profile applied."""
    if image.get_typeof("icc-profile-data"):
        # A broken profile is ignored: the pixels are then taken as sRGB.
        with contextlib.suppress(pyvips.Error):
            image = image.icc_transform("srgb", embedded=True, intent="perceptual")
    if image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xmp_text(value: str) -> str:
    return escape(_XML_INVALID.sub("", value), {'"': "&quot;"})


def rights_xmp(rights: str = "", caption: str = "") -> bytes:
    """The only metadata a rendition carries: an XMP packet with ``dc:rights`` and
    ``dc:description`` (each only when given)."""
    fields = []
    for tag, value in (("dc:rights", rights), ("dc:description", caption)):
        if value:
            fields.append(
                f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{_xmp_text(value)}'
                f"</rdf:li></rdf:Alt></{tag}>"
            )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"{''.join(fields)}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def _encode(image: pyvips.Image, spec: RenditionSpec, xmp: bytes | None) -> bytes:
    keep = pyvips.enums.ForeignKeep.NONE
    if xmp:
        image = image.copy()
        image.set_type(pyvips.GValue.blob_type, "xmp-data", xmp)
        keep = pyvips.enums.ForeignKeep.XMP
    if spec.format == "webp":
        return image.webpsave_buffer(Q=WEBP_QUALITY, effort=WEBP_EFFORT, keep=keep)
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    return image.jpegsave_buffer(Q=JPEG_QUALITY, optimize_coding=True, keep=keep)


def _make(
    working: pyvips.Image,
    spec: RenditionSpec,
    size: tuple[int, int],
    focus: tuple[float, float],
    xmp: bytes | None,
) -> MadeRendition:
    image = working
    if spec.crop:
        assert spec.height is not None
        left, top, box_w, box_h = focus_crop_box(
            working.width, working.height, spec.width, spec.height, focus
        )
        image = working.crop(left, top, box_w, box_h)
    if (image.width, image.height) != size:
        # The working image is already upright: never rotate it again.
        image = image.thumbnail_image(size[0], height=size[1], size="force", no_rotate=True)
    media_type = WEBP if spec.format == "webp" else JPEG
    return MadeRendition(
        spec=spec.name,
        data=_encode(image, spec, xmp),
        width=image.width,
        height=image.height,
        media_type=media_type,
    )


def render_photo(
    path: Path,
    media_type: MediaType,
    *,
    focus: tuple[float, float] = (0.5, 0.5),
    rights: str = "",
    caption: str = "",
    specs: Sequence[RenditionSpec] = PHOTO_SPECS,
) -> list[MadeRendition]:
    """Every rendition of an accepted photo (``inspect_image`` first), in ``specs``' order.

    ``focus`` is the point to keep in cropped renditions, as fractions (x, y) of the upright
    picture. ``rights`` and ``caption`` go into an XMP packet, the outputs' only metadata.
    Raises ``pyvips.Error`` (or pillow-heif's errors) when the file cannot be decoded.
    """
    working, (width, height) = _load_working(path, media_type, specs)
    xmp = rights_xmp(rights, caption) if rights or caption else None

    def make(spec: RenditionSpec) -> MadeRendition:
        return _make(working, spec, _output_size(spec, width, height), focus, xmp)

    # Encoders are single-threaded (libjpeg, libwebp) and release the GIL: renditions are made
    # side by side, one per CPU, from the one decoded working image.
    workers = min(len(specs), RENDER_THREADS)
    if workers <= 1:
        return [make(spec) for spec in specs]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="render") as pool:
        return list(pool.map(make, specs))


__all__ = [
    "PHOTO_SPECS",
    "SPECS_BY_NAME",
    "ImageInfo",
    "MadeRendition",
    "RenditionSpec",
    "extension_mismatch",
    "focus_crop_box",
    "inspect_image",
    "render_photo",
    "rights_xmp",
]
