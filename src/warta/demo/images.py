"""Placeholder photos for the demo news: abstract scenes drawn with Pillow alone.

No third-party photos and no downloaded fonts: a gradient sky, a few geometric shapes (a
building, a podium, rows of people as silhouettes, a flag) and a small caption-like label in
Pillow's built-in font. The same seed always gives the same picture.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 1600, 1000
SCENES = ("aula", "gedung", "upacara", "rapat")

# (sky top, sky bottom, accent, silhouette, label) — calm colours, navy and gold first.
PALETTES = [
    ((18, 42, 86), (229, 178, 93), (246, 211, 101), (14, 24, 46), (14, 24, 46)),
    ((20, 78, 96), (244, 162, 97), (255, 220, 150), (12, 40, 52), (12, 40, 52)),
    ((58, 36, 94), (238, 132, 120), (255, 196, 140), (30, 18, 50), (30, 18, 50)),
    ((36, 104, 160), (196, 228, 240), (255, 240, 190), (24, 52, 84), (24, 52, 84)),
    ((26, 60, 52), (222, 206, 150), (250, 232, 170), (16, 34, 30), (16, 34, 30)),
]


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _background(top: tuple[int, ...], bottom: tuple[int, ...]) -> Image.Image:
    ramp = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    return ImageOps.colorize(ramp, black=top, white=bottom).convert("RGB")


def _person(draw: ImageDraw.ImageDraw, x: float, ground: float, scale: float, fill) -> None:
    head = 26 * scale
    body_w, body_h = 70 * scale, 150 * scale
    draw.ellipse(
        (x - head, ground - body_h - 2.1 * head, x + head, ground - body_h - 0.1 * head), fill=fill
    )
    draw.rounded_rectangle(
        (x - body_w / 2, ground - body_h, x + body_w / 2, ground + 40 * scale),
        radius=int(30 * scale),
        fill=fill,
    )


def _crowd(draw, rng: random.Random, rows: int, ground: float, colours) -> None:
    for row in range(rows):
        scale = 0.6 + 0.25 * row
        y = ground + 75 * row
        step = 95 * scale
        x = -rng.uniform(0, step)
        fill = colours[min(row, len(colours) - 1)]
        while x < WIDTH + step:
            _person(draw, x + rng.uniform(-12, 12), y + rng.uniform(-6, 6), scale, fill)
            x += step * rng.uniform(0.9, 1.15)


def _building(
    draw, rng: random.Random, left: float, width: float, top: float, base: float, body, window
) -> None:
    draw.rectangle((left, top, left + width, base), fill=body)
    # a pediment and columns: a public building, abstractly
    draw.polygon(
        [(left - 20, top), (left + width / 2, top - 90), (left + width + 20, top)], fill=body
    )
    columns = rng.choice((5, 6, 7))
    gap = width / (columns * 2 + 1)
    for i in range(columns):
        x = left + gap * (2 * i + 1)
        draw.rectangle((x, top + 40, x + gap, base - 20), fill=window)


def _scene_aula(draw, rng, palette) -> None:
    top, bottom, accent, dark, _label = palette
    # stage backdrop with stripes and a banner
    draw.rectangle((0, 0, WIDTH, 560), fill=_mix(top, dark, 0.35))
    for i in range(9):
        x = 120 + i * 170
        draw.rectangle((x, 0, x + 70, 560), fill=_mix(top, bottom, 0.15 + 0.03 * i))
    draw.rounded_rectangle((360, 90, 1240, 250), radius=24, fill=_mix(accent, bottom, 0.3))
    draw.rectangle((420, 150, 1180, 170), fill=_mix(dark, accent, 0.4))
    draw.rectangle((520, 195, 1080, 210), fill=_mix(dark, accent, 0.5))
    # podium and speaker
    draw.rectangle((0, 560, WIDTH, 640), fill=_mix(dark, bottom, 0.25))
    draw.rectangle((0, 640, WIDTH, HEIGHT), fill=_mix(dark, top, 0.5))
    _person(draw, 1060, 520, 1.15, dark)
    draw.polygon([(960, 600), (1160, 600), (1140, 420), (980, 420)], fill=_mix(dark, accent, 0.25))
    draw.ellipse((1035, 470, 1085, 520), fill=accent)
    # lights
    for x in (200, 800, 1400):
        draw.ellipse((x - 40, 20, x + 40, 100), fill=_mix(accent, (255, 255, 255), 0.5))
    _crowd(draw, rng, 3, 800, [_mix(dark, bottom, 0.3), _mix(dark, bottom, 0.15), dark])


def _scene_gedung(draw, rng, palette) -> None:
    _top, bottom, accent, dark, _label = palette
    sun_x = rng.randint(250, 1350)
    for radius, t in ((200, 0.75), (140, 0.45), (95, 0.0)):
        colour = _mix(accent, bottom, t)
        draw.ellipse((sun_x - radius, 330 - radius, sun_x + radius, 330 + radius), fill=colour)
    for i in range(5):
        y = 120 + i * 38
        x = rng.randint(-200, 1400)
        draw.rounded_rectangle(
            (x, y, x + rng.randint(200, 420), y + 18),
            radius=9,
            fill=_mix(bottom, (255, 255, 255), 0.35),
        )
    draw.rectangle((0, 700, WIDTH, HEIGHT), fill=_mix(dark, bottom, 0.4))
    _building(draw, rng, 430, 740, 420, 720, _mix(dark, bottom, 0.2), _mix(accent, bottom, 0.5))
    for left in (60, 1250):
        draw.rectangle((left, 520, left + 290, 720), fill=_mix(dark, bottom, 0.3))
        for j in range(3):
            draw.rectangle(
                (left + 30 + j * 90, 560, left + 80 + j * 90, 640), fill=_mix(accent, bottom, 0.6)
            )
    _crowd(draw, rng, 1, 920, [dark])


def _scene_upacara(draw, rng, palette) -> None:
    _top, bottom, accent, dark, _label = palette
    draw.rectangle((0, 640, WIDTH, HEIGHT), fill=_mix(dark, bottom, 0.45))
    for i in range(6):
        y = 660 + i * 60
        draw.rectangle((0, y, WIDTH, y + 8), fill=_mix(dark, bottom, 0.55))
    # flagpole with a red-and-white flag
    pole = rng.randint(700, 900)
    draw.rectangle((pole, 120, pole + 14, 700), fill=_mix(dark, bottom, 0.1))
    draw.ellipse((pole - 6, 104, pole + 20, 130), fill=accent)
    draw.rectangle((pole + 14, 140, pole + 274, 220), fill=(206, 32, 41))
    draw.rectangle((pole + 14, 220, pole + 274, 300), fill=(246, 246, 246))
    # formation of cadets in rows
    for row, y in enumerate((720, 800, 890)):
        scale = 0.55 + 0.15 * row
        fill = _mix(dark, bottom, 0.25 - 0.1 * row)
        for k in range(14):
            _person(draw, 90 + k * 110 + (row % 2) * 55, y, scale, fill)


def _scene_rapat(draw, rng, palette) -> None:
    top, bottom, accent, dark, _label = palette
    # a screen on the wall
    draw.rounded_rectangle((420, 90, 1180, 470), radius=16, fill=_mix(dark, top, 0.5))
    draw.rectangle((450, 120, 1150, 440), fill=_mix(bottom, (255, 255, 255), 0.5))
    for i, width in enumerate((520, 440, 600, 360)):
        draw.rounded_rectangle(
            (500, 170 + i * 62, 500 + width, 200 + i * 62),
            radius=12,
            fill=_mix(top, bottom, 0.3 + 0.1 * i),
        )
    draw.pieslice((930, 250, 1110, 430), 0, 250, fill=accent)
    # people around an oval table
    for k in range(7):
        _person(draw, 230 + k * 190, 700, 0.9, _mix(dark, bottom, 0.15))
    draw.ellipse((80, 640, 1520, 1060), fill=_mix(dark, accent, 0.3))
    draw.ellipse((160, 690, 1440, 1010), fill=_mix(dark, accent, 0.45))
    for k in range(5):
        x = 330 + k * 230
        draw.rounded_rectangle(
            (x, 780, x + 120, 840), radius=8, fill=_mix(bottom, (255, 255, 255), 0.6)
        )


_DRAW = {
    "aula": _scene_aula,
    "gedung": _scene_gedung,
    "upacara": _scene_upacara,
    "rapat": _scene_rapat,
}


def _label(image: Image.Image, text: str, colour) -> Image.Image:
    font = ImageFont.load_default(size=34)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = 18
    box = (
        40,
        HEIGHT - 40 - (bottom - top) - 2 * pad,
        40 + (right - left) + 2 * pad + 16,
        HEIGHT - 40,
    )
    draw.rounded_rectangle(box, radius=14, fill=(*colour, 190))
    draw.rectangle((box[0] + 12, box[1] + 14, box[0] + 18, box[3] - 14), fill=(246, 211, 101, 255))
    draw.text(
        (box[0] + pad + 16 - left, box[1] + pad - top), text, font=font, fill=(255, 255, 255, 255)
    )
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def demo_photo(seed: int, *, scene: str | None = None, label: str = "") -> bytes:
    """A ``WIDTH``×``HEIGHT`` JPEG of an abstract activity scene, the same for the same seed.
    ``scene`` is one of ``SCENES`` (chosen from the seed when omitted)."""
    rng = random.Random(seed)
    palette = PALETTES[seed % len(PALETTES)]
    scene = scene or SCENES[rng.randrange(len(SCENES))]
    image = _background(palette[0], palette[1])
    _DRAW[scene](ImageDraw.Draw(image), rng, palette)
    image = _label(image, label or "Dokumentasi Humas Politeknik Imigrasi", palette[4])
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=84, optimize=True)
    return buffer.getvalue()
