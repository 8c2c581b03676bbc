"""Photos checked by content, and renditions read back with an independent reader (Pillow)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pillow_heif
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.media import imagegen
from warta.media import images
from warta.media.errors import MediaRefused
from warta.media.images import (
    PHOTO_SPECS,
    RenditionSpec,
    extension_mismatch,
    focus_crop_box,
    inspect_image,
    render_photo,
)
from warta.media.types import GIF, HEIC, JPEG, PNG, WEBP

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 100_000_000
PERSONAL = (
    imagegen.CAMERA_SERIAL.encode(),
    imagegen.CAMERA_OWNER.encode(),
    imagegen.XMP_CREATOR.encode(),
    b"GPS",
    b"WartaPhone",
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def inspect(path: Path, **limits: int) -> images.ImageInfo:
    return inspect_image(
        path,
        path.name,
        max_bytes=limits.get("max_bytes", MAX_BYTES),
        max_pixels=limits.get("max_pixels", MAX_PIXELS),
    )


def refusal(path: Path, **limits: int) -> MediaRefused:
    with pytest.raises(MediaRefused) as caught:
        inspect(path, **limits)
    assert path.name in caught.value.message
    return caught.value


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "code", "words"),
    [
        ("kosong.jpg", imagegen.empty_bytes, "empty", "empty"),
        ("gambar.jpg", imagegen.svg_bytes, "svg", "scripts"),
        ("logo.svg", imagegen.svg_bytes, "svg", "SVG drawing"),
        ("halaman.jpg", imagegen.html_bytes, "not-media", "an HTML page"),
        ("foto.jpg", imagegen.pdf_bytes, "not-media", "a PDF document"),
        ("foto.png", imagegen.zip_bytes, "not-media", "a ZIP archive"),
        ("catatan.jpg", lambda: b"Rapat koordinasi pukul 09.00\n", "not-media", "a text file"),
        ("scan.jpg", imagegen.tiff_bytes, "wrong-type", "a TIFF image"),
        ("rusak.jpg", imagegen.truncated_jpeg, "truncated", "incomplete"),
        ("rusak.heic", lambda: imagegen.heic_bytes(640, 480)[:-200], "truncated", "incomplete"),
        ("bom.png", imagegen.bomb_png, "bomb", "50000 × 50000"),
    ],
)
def test_bad_files_are_refused_with_their_reason(tmp_path, name, make, code, words):
    error = refusal(imagegen.write(tmp_path, name, make()))
    assert error.code == code
    assert words in error.message


def test_a_video_given_as_photo_is_the_wrong_type(tmp_path):
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    error = refusal(imagegen.write(tmp_path, "klip.jpg", head))
    assert (error.code, "an MP4 video" in error.message) == ("wrong-type", True)


def test_a_truncated_png_is_refused(tmp_path):
    data = imagegen.png_bytes(300, 200)
    data = data[: len(data) // 2]
    assert refusal(imagegen.write(tmp_path, "potong.png", data)).code == "truncated"


def test_a_file_over_the_limit_is_refused_before_reading_it(tmp_path, monkeypatch):
    path = imagegen.write(tmp_path, "besar.jpg", imagegen.jpeg_bytes())
    monkeypatch.setattr(images, "identify", pytest.fail)
    error = refusal(path, max_bytes=100)
    assert error.code == "too-large"
    assert error.status == 413


@pytest.mark.parametrize(
    ("name", "make", "declared"),
    [
        ("bom.png", imagegen.bomb_png, "50000 × 50000"),
        ("bom.jpg", lambda: imagegen.jpeg_bytes(640, 480), "640 × 480"),
        ("bom.heic", lambda: imagegen.heic_bytes(640, 480), "640 × 480"),
    ],
)
def test_a_bomb_is_refused_by_its_declared_size_before_decoding(
    tmp_path, monkeypatch, name, make, declared
):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a file that declares too many pixels")

    monkeypatch.setattr(images.pyvips.Image, "thumbnail", no_decoding)
    monkeypatch.setattr(images.pyvips.Image, "avg", no_decoding)
    monkeypatch.setattr(pillow_heif.HeifFile, "data", property(no_decoding))
    error = refusal(imagegen.write(tmp_path, name, make()), max_pixels=300_000)
    assert error.code == "bomb"
    assert f"declares {declared} pixels, more than the 0.3 million" in error.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("acak.jpg", b"\xff\xd8\xff\xe0" + b"\x13\x37" * 40),
        ("acak.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 60),
        ("acak.webp", b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x01" * 60),
        ("acak.gif", b"GIF89a" + b"\xff" * 30),
        ("acak.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 60),
    ],
)
def test_garbage_behind_a_good_signature_is_refused_not_a_crash(tmp_path, name, data):
    assert refusal(imagegen.write(tmp_path, name, data)).code in ("unreadable", "truncated")


@given(
    magic=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"RIFF\0\0\0\0WEBP"]),
    tail=st.binary(max_size=200),
)
def test_any_bytes_are_accepted_or_refused_never_a_crash(tmp_path_factory, magic, tail):
    path = tmp_path_factory.mktemp("fuzz") / "x.bin"
    path.write_bytes(magic + tail)
    try:
        inspect(path)
    except MediaRefused as error:
        assert error.code in ("unreadable", "truncated", "bomb")


# --- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("foto.jpg", lambda: imagegen.jpeg_bytes(64, 48), JPEG),
        ("foto.png", lambda: imagegen.png_bytes(64, 48), PNG),
        ("foto.webp", lambda: imagegen.webp_bytes(64, 48), WEBP),
        ("foto.gif", lambda: imagegen.gif_bytes(64, 48), GIF),
        ("IMG_0001.HEIC", lambda: imagegen.heic_bytes(64, 48), HEIC),
        ("iphone.heic", lambda: imagegen.heic_bytes(64, 48, orientation=6), HEIC),
        ("polyglot.jpg", imagegen.polyglot_jpeg_zip, JPEG),
        ("foto-ternyata-png.jpg", lambda: imagegen.png_bytes(64, 48), PNG),
    ],
)
def test_good_photos_are_accepted_with_their_real_type(tmp_path, name, make, media_type):
    info = inspect(imagegen.write(tmp_path, name, make()))
    assert (info.media_type, info.width, info.height) == (media_type, 64, 48)


def test_size_is_as_displayed_after_the_exif_orientation(tmp_path):
    info = inspect(imagegen.write(tmp_path, "tegak.jpg", imagegen.jpeg_bytes(48, 64, 6)))
    assert (info.width, info.height, info.orientation) == (48, 64, 6)


def test_a_wrong_extension_is_a_note_not_a_refusal():
    assert (
        extension_mismatch("foto.png", JPEG)
        == "foto.png is really a JPEG photo; Warta keeps it as .jpg."
    )
    assert extension_mismatch("foto.JPEG", JPEG) is None
    assert extension_mismatch("IMG_1.heif", HEIC) is None
    assert extension_mismatch("tanpa-ekstensi", JPEG) is None


# --- renditions ------------------------------------------------------------------------------


def read(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def is_red(pixel) -> bool:
    r, g, b = pixel[:3]
    return r > 200 and g < 60 and b < 60


def is_blue(pixel) -> bool:
    r, g, b = pixel[:3]
    return b > 200 and r < 60 and g < 60


@pytest.fixture(scope="module")
def phone_photo(tmp_path_factory) -> Path:
    """2000×1500 as displayed, stored as 1500×2000 with orientation 6, GPS, serial, XMP, ICC."""
    data = imagegen.jpeg_bytes(2000, 1500, orientation=6, icc=True)
    return imagegen.write(tmp_path_factory.mktemp("photo"), "phone.jpg", data)


@pytest.fixture(scope="module")
def renditions(phone_photo):
    with translation.override("en"):
        return {made.spec: made for made in render_photo(phone_photo, JPEG)}


EXPECTED_SIZES = {
    "web-jpeg": (1600, 1200),
    "web-webp": (1600, 1200),
    "thumb": (400, 300),
    "ig-portrait": (1080, 1350),
    "ig-square": (1080, 1080),
    "landscape": (1200, 675),
    "og": (1200, 630),
}


def test_every_spec_is_made_at_its_size(renditions):
    assert [spec.name for spec in PHOTO_SPECS] == list(renditions)
    for name, made in renditions.items():
        image = read(made.data)
        assert image.size == EXPECTED_SIZES[name] == (made.width, made.height), name
        assert image.format == ("WEBP" if name == "web-webp" else "JPEG"), name
        assert made.media_type == (WEBP if name == "web-webp" else JPEG)


def test_renditions_are_upright(renditions):
    for name in ("web-jpeg", "web-webp"):
        image = read(renditions[name].data).convert("RGB")
        w, h = image.size
        assert is_red(image.getpixel((w // 20, h // 20))), name
        assert is_blue(image.getpixel((w - w // 20, h // 20))), name
        assert is_blue(image.getpixel((w // 20, h - h // 20))), name


def test_no_rendition_carries_personal_metadata(renditions):
    for name, made in renditions.items():
        image = read(made.data)
        assert len(image.getexif()) == 0, name
        assert not {"exif", "xmp", "icc_profile", "photoshop"} & set(image.info), name
        for secret in PERSONAL:
            assert secret not in made.data, (name, secret)


def test_rights_and_caption_are_the_only_metadata(phone_photo):
    made = render_photo(
        phone_photo,
        JPEG,
        rights="© 2026 Humas Pemkab <Contoh> & Co",
        caption="Rapat koordinasi",
        specs=[PHOTO_SPECS[0], PHOTO_SPECS[1]],
    )
    for rendition in made:
        image = read(rendition.data)
        xmp = image.info["xmp"]
        xmp = xmp if isinstance(xmp, bytes) else xmp.encode()
        assert "© 2026 Humas Pemkab &lt;Contoh&gt; &amp; Co".encode() in xmp
        assert b"<dc:description>" in xmp and b"Rapat koordinasi" in xmp
        assert len(image.getexif()) == 0
        for secret in PERSONAL:
            assert secret not in rendition.data, secret


def test_exiftool_finds_no_personal_data(renditions, tmp_path):
    exiftool = shutil.which("exiftool")
    if exiftool is None:
        pytest.skip("exiftool is not installed (libimage-exiftool-perl)")
    for name, made in renditions.items():
        path = imagegen.write(tmp_path, f"{name}.bin", made.data)
        tags = json.loads(
            subprocess.run(
                [exiftool, "-j", "-G", str(path)], capture_output=True, check=True
            ).stdout
        )[0]
        found = {
            key
            for key in tags
            if key.split(":")[0] in ("EXIF", "XMP", "IPTC", "ICC_Profile", "MakerNotes")
        }
        assert not found, (name, found)
        assert not any("GPS" in key or "Serial" in key for key in tags), name


def test_the_focus_point_moves_the_crop(phone_photo):
    specs = [spec for spec in PHOTO_SPECS if spec.name in ("ig-portrait", "ig-square")]
    top_left = render_photo(phone_photo, JPEG, focus=(0.0, 0.0), specs=specs)
    bottom_right = render_photo(phone_photo, JPEG, focus=(1.0, 1.0), specs=specs)
    for near, far in zip(top_left, bottom_right, strict=True):
        assert is_red(read(near.data).convert("RGB").getpixel((5, 5))), near.spec
        assert is_blue(read(far.data).convert("RGB").getpixel((5, 5))), far.spec


def test_a_small_original_is_never_enlarged(tmp_path):
    path = imagegen.write(tmp_path, "kecil.jpg", imagegen.jpeg_bytes(64, 48, orientation=8))
    made = {m.spec: m for m in render_photo(path, JPEG)}
    assert {name: (m.width, m.height) for name, m in made.items()} == {
        "web-jpeg": (64, 48),
        "web-webp": (64, 48),
        "thumb": (64, 48),
        "ig-portrait": (38, 48),
        "ig-square": (48, 48),
        "landscape": (64, 36),
        "og": (64, 34),
    }
    image = read(made["web-jpeg"].data).convert("RGB")
    assert is_red(image.getpixel((3, 3))) and is_blue(image.getpixel((60, 44)))


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("iphone.heic", lambda: imagegen.heic_bytes(320, 240, orientation=6), HEIC),
        ("layar.png", lambda: imagegen.png_bytes(320, 240, alpha=True), PNG),
        ("foto.webp", lambda: imagegen.webp_bytes(320, 240), WEBP),
        ("foto.gif", lambda: imagegen.gif_bytes(320, 240), GIF),
    ],
)
def test_other_types_render_upright_and_clean(tmp_path, name, make, media_type):
    spec = RenditionSpec("web-jpeg", 160, None, False, "jpeg", "Web")
    (made,) = render_photo(imagegen.write(tmp_path, name, make()), media_type, specs=[spec])
    image = read(made.data)
    assert image.size == (160, 120)
    assert len(image.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile"} & set(image.info)
    assert b"GPS" not in made.data and imagegen.CAMERA_SERIAL.encode() not in made.data
    rgb = image.convert("RGB")
    assert is_red(rgb.getpixel((8, 6))) and is_blue(rgb.getpixel((150, 112)))


# --- the focus crop --------------------------------------------------------------------------

sides = st.integers(min_value=1, max_value=5000)
fractions = st.floats(min_value=-0.5, max_value=1.5, allow_nan=False)


@given(width=sides, height=sides, target_w=sides, target_h=sides, fx=fractions, fy=fractions)
def test_focus_crop_box(width, height, target_w, target_h, fx, fy):
    left, top, box_w, box_h = focus_crop_box(width, height, target_w, target_h, (fx, fy))
    # inside the image
    assert left >= 0 and top >= 0 and box_w >= 1 and box_h >= 1
    assert left + box_w <= width and top + box_h <= height
    # as large as possible: it spans the image in one direction
    assert box_w == width or box_h == height
    # the target's aspect ratio, to a pixel
    if box_w == width:
        assert abs(box_h - width * target_h / target_w) <= 1 or box_h == height
    else:
        assert abs(box_w - height * target_w / target_h) <= 1
    # the focus point is inside the box (it always can be: the box is never empty)
    px = min(1.0, max(0.0, fx)) * width
    py = min(1.0, max(0.0, fy)) * height
    assert left - 0.5 <= px <= left + box_w + 0.5
    assert top - 0.5 <= py <= top + box_h + 0.5


def test_focus_crop_box_centres_on_the_focus_when_it_can():
    assert focus_crop_box(4000, 3000, 1, 1, (0.5, 0.5)) == (500, 0, 3000, 3000)
    assert focus_crop_box(4000, 3000, 1, 1, (0.6, 0.5)) == (900, 0, 3000, 3000)
    assert focus_crop_box(4000, 3000, 1, 1, (0.0, 0.5)) == (0, 0, 3000, 3000)
    assert focus_crop_box(3000, 4000, 1200, 630, (0.5, 0.9)) == (0, 2425, 3000, 1575)
