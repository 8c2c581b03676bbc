"""Test media made on the spot: good photos with personal metadata, and every kind of bad file.

Sizes are the picture as DISPLAYED (upright): ``jpeg_bytes(64, 48, orientation=6)`` stores a
48×64 grid of pixels with EXIF orientation 6, which a viewer turns into a 64×48 picture. Every
upright picture has a red block in its top-left corner (``MARKER``) on a blue background, so a
test can tell whether a rendition is upright.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image

CAMERA_SERIAL = "WARTA-CAM-SERIAL-4711"
CAMERA_OWNER = "Budi Santoso Pemilik Kamera"
XMP_CREATOR = "Siti Rahma XMP Creator"
GPS_LATITUDE = (6.0, 10.0, 29.16)  # 6° 10' 29.16" S, Jakarta
GPS_LONGITUDE = (106.0, 49.0, 47.28)  # 106° 49' 47.28" E
MARKER = (255, 0, 0)
BACKGROUND = (0, 0, 255)
MARKER_FRACTION = 0.25  # the red block covers the top-left quarter of each side

# How to store pixels so that a viewer applying the EXIF orientation shows the upright picture
# (the inverse of what the orientation asks a viewer to do).
_STORE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def upright_picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Blue with a red block in the top-left corner (as displayed)."""
    image = Image.new("RGB", (width, height), BACKGROUND)
    block = (
        max(1, int(width * MARKER_FRACTION)),
        max(1, int(height * MARKER_FRACTION)),
    )
    image.paste(Image.new("RGB", block, MARKER), (0, 0))
    return image.convert(mode) if mode != "RGB" else image


def stored_pixels(width: int, height: int, orientation: int = 1) -> Image.Image:
    transpose = _STORE[orientation]
    image = upright_picture(width, height)
    return image.transpose(transpose) if transpose is not None else image


def personal_exif(orientation: int = 1, gps: bool = True) -> Image.Exif:
    """EXIF a phone writes: orientation, camera, serial, owner and (optionally) GPS position."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "WartaPhone"  # Make
    exif[0x0110] = "WP-1 Pro"  # Model
    exif[0x013B] = CAMERA_OWNER  # Artist
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0xA431] = CAMERA_SERIAL  # BodySerialNumber
    exif_ifd[0xA430] = CAMERA_OWNER  # CameraOwnerName
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[0x0001] = "S"  # GPSLatitudeRef
        gps_ifd[0x0002] = GPS_LATITUDE
        gps_ifd[0x0003] = "E"  # GPSLongitudeRef
        gps_ifd[0x0004] = GPS_LONGITUDE
    return exif


def personal_xmp() -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/">'
        f"<dc:creator><rdf:Seq><rdf:li>{XMP_CREATOR}</rdf:li></rdf:Seq></dc:creator>"
        "<exif:GPSLatitude>6,10.486S</exif:GPSLatitude>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def jpeg_bytes(
    width: int = 64,
    height: int = 48,
    orientation: int = 1,
    gps: bool = True,
    *,
    quality: int = 90,
    xmp: bool = True,
    icc: bool = False,
) -> bytes:
    """A JPEG photo as a phone makes it: EXIF orientation, camera serial, owner, GPS, XMP (and
    an embedded sRGB ICC profile with ``icc``)."""
    out = io.BytesIO()
    extra: dict[str, bytes] = {"xmp": personal_xmp()} if xmp else {}
    if icc:
        from PIL import ImageCms

        extra["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    stored_pixels(width, height, orientation).save(
        out, "JPEG", quality=quality, exif=personal_exif(orientation, gps), **extra
    )
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 48, *, alpha: bool = False) -> bytes:
    out = io.BytesIO()
    upright_picture(width, height, "RGBA" if alpha else "RGB").save(out, "PNG")
    return out.getvalue()


def webp_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    upright_picture(width, height).save(out, "WEBP", quality=90, exif=personal_exif(1, True))
    return out.getvalue()


def gif_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    upright_picture(width, height).convert("P").save(out, "GIF")
    return out.getvalue()


def heic_bytes(width: int = 64, height: int = 48, orientation: int = 1, gps: bool = True) -> bytes:
    """An iPhone-like HEIC photo with camera EXIF and GPS (pillow-heif turns the EXIF
    orientation into the HEIF rotation/mirror boxes, as iPhones write them)."""
    import pillow_heif

    heif = pillow_heif.from_pillow(stored_pixels(width, height, orientation))
    out = io.BytesIO()
    heif.save(out, quality=90, exif=personal_exif(orientation, gps).tobytes())
    return out.getvalue()


def tiff_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    upright_picture(width, height).save(out, "TIFF")
    return out.getvalue()


def truncated_jpeg(width: int = 64, height: int = 48, keep: float = 0.6) -> bytes:
    """A JPEG cut off part-way through its picture data (an interrupted upload)."""
    data = jpeg_bytes(width, height, xmp=False)
    return data[: int(len(data) * keep)]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid-looking PNG of a few hundred bytes declaring ``width``×``height`` RGB pixels: a
    decoder that trusted it would allocate gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = zlib.compress(b"\x00" * (1 + width * 3) * 4, 9)  # the first few rows only
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def svg_bytes() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
        b'<script>alert("xss")</script><rect width="64" height="48" fill="red"/></svg>\n'
    )


def html_bytes() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>x</title></head><body>Halo</body></html>\n"


def pdf_bytes() -> bytes:
    """A minimal one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 64 48] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("berita.txt", "Isi arsip\n")
    return out.getvalue()


def empty_bytes() -> bytes:
    return b""


def polyglot_jpeg_zip(width: int = 64, height: int = 48) -> bytes:
    """A good JPEG with a ZIP archive appended (valid as both)."""
    return jpeg_bytes(width, height) + zip_bytes()


def write(directory: Path, name: str, data: bytes) -> Path:
    """``data`` written to ``directory/name``; the path."""
    path = directory / name
    path.write_bytes(data)
    return path
