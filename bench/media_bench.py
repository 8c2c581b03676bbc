"""Media benchmark (issue 10): Warta's photo renditions against vipsthumbnail and Pillow.

Generates WARTA_BENCH_PHOTOS (default 50) photos of 12 MP (4000×3000, JPEG q90, EXIF
orientation and GPS) in a temporary directory, then runs each workload in its own child process
so that its peak memory (the process's maximum resident set size, which includes libvips' own
allocations) is measured alone:

- warta-check     ``inspect_image`` on every photo (the upload check: header + bounded decode)
- warta-web       ``render_photo`` with the web JPEG rendition only
- vipsthumbnail   Debian's ``vipsthumbnail`` making the same web JPEG (long side 1600)
- warta-all       ``render_photo`` with every rendition (PHOTO_SPECS)
- pillow-all      the same renditions done the straightforward way with Pillow

Goals: warta-web within 1.5× of vipsthumbnail, warta-all at least 3× faster than pillow-all,
peak memory under 500 MB. Run: ``make bench`` or ``.venv/bin/python bench/media_bench.py``.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

WIDTH, HEIGHT = 4000, 3000
ORIENTATIONS = (1, 6, 3, 8)
WORKLOADS = ("warta-check", "warta-web", "vipsthumbnail", "warta-all", "pillow-all")


# --- the photos --------------------------------------------------------------------------------


def _base_picture():
    """A 12 MP picture with photo-like detail (smoothed noise over gradients), so that JPEG
    files have a realistic size (a flat picture decodes unrealistically fast)."""
    from PIL import Image, ImageFilter

    channels = []
    for sigma, gradient in ((50, "linear"), (60, "radial"), (40, "linear")):
        noise = Image.effect_noise((WIDTH, HEIGHT), sigma).filter(ImageFilter.GaussianBlur(1.2))
        ramp = (
            Image.linear_gradient("L") if gradient == "linear" else Image.radial_gradient("L")
        ).resize((WIDTH, HEIGHT))
        channels.append(Image.blend(noise, ramp, 0.5))
    return Image.merge("RGB", channels)


def make_photos(directory: Path, count: int) -> list[Path]:
    from PIL import Image, ImageDraw

    base = _base_picture()
    paths = []
    for index in range(count):
        orientation = ORIENTATIONS[index % len(ORIENTATIONS)]
        picture = base.copy()
        ImageDraw.Draw(picture).rectangle(
            (100 + index * 50, 100, 900 + index * 50, 700), fill=(200, 30 + index * 4, 30)
        )
        stored = {
            1: picture,
            6: picture.transpose(Image.Transpose.ROTATE_90),
            3: picture.transpose(Image.Transpose.ROTATE_180),
            8: picture.transpose(Image.Transpose.ROTATE_270),
        }[orientation]
        exif = Image.Exif()
        exif[0x0112] = orientation
        exif[0x010F] = "BenchPhone"
        exif.get_ifd(0x8769)[0xA431] = f"SERIAL-{index:04d}"
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 10.0, 29.0), "E", (106.0, 49.0, 47.0)
        path = directory / f"photo-{index:03d}.jpg"
        stored.save(path, "JPEG", quality=90, exif=exif)
        paths.append(path)
    return paths


# --- the workloads (each runs in a child process) ----------------------------------------------


def _django_settings() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def run_warta(paths: list[Path], out: Path, which: str) -> None:
    _django_settings()
    from warta.media.images import PHOTO_SPECS, SPECS_BY_NAME, inspect_image, render_photo

    if which == "warta-check":
        for path in paths:
            inspect_image(path, path.name, max_bytes=25 << 20, max_pixels=100_000_000)
        return
    specs = PHOTO_SPECS if which == "warta-all" else (SPECS_BY_NAME["web-jpeg"],)
    for path in paths:
        for made in render_photo(path, _type_of(path), specs=specs):
            (out / f"{path.stem}-{made.spec}.{made.media_type.extension}").write_bytes(made.data)


def _type_of(path: Path):
    from warta.media.types import sniff

    with path.open("rb") as file:
        return sniff(file.read(64))


def run_pillow(paths: list[Path], out: Path) -> None:
    """Warta's renditions done the usual Pillow way: draft (JPEG shrink-on-load), transpose,
    then fit or crop-to-fill each size with Lanczos, save without metadata."""
    from PIL import Image, ImageOps

    _django_settings()
    from warta.media.images import PHOTO_SPECS

    for path in paths:
        with Image.open(path) as image:
            # the same working scale as Warta: the largest rendition needs 0.45 of 4000×3000
            image.draft("RGB", (math.ceil(image.width * 0.45), math.ceil(image.height * 0.45)))
            upright = ImageOps.exif_transpose(image).convert("RGB")
        for spec in PHOTO_SPECS:
            if spec.crop:
                rendition = ImageOps.fit(
                    upright, (spec.width, spec.height), Image.Resampling.LANCZOS
                )
            else:
                rendition = upright.copy()
                rendition.thumbnail((spec.width, spec.width), Image.Resampling.LANCZOS)
            target = out / f"{path.stem}-{spec.name}.{'webp' if spec.format == 'webp' else 'jpg'}"
            if spec.format == "webp":
                rendition.save(target, "WEBP", quality=80, method=4)
            else:
                rendition.save(target, "JPEG", quality=85, optimize=True)


def child(which: str, directory: Path) -> None:
    paths = sorted(directory.glob("photo-*.jpg"))
    out = Path(tempfile.mkdtemp(prefix=f"{which}-"))
    _django_settings()
    import PIL.Image  # noqa: F401  (imports are not timed)

    import warta.media.images  # noqa: F401

    started = time.perf_counter()
    if which == "pillow-all":
        run_pillow(paths, out)
    else:
        run_warta(paths, out, which)
    elapsed = time.perf_counter() - started
    shutil.rmtree(out)
    print(json.dumps({"seconds": elapsed, "peak_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's peak resident set since its exec (VmHWM; ru_maxrss would also count the
    parent's memory at fork time)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the parent ---------------------------------------------------------------------------------


def _measure(args: list[str]) -> dict:
    """Runs a child process; its wall time and peak RSS (from wait4's rusage)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    output = process.stdout.read().decode() if process.stdout else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{args[0]} failed ({process.returncode})")
    if output.strip():  # a Python child measured itself
        return json.loads(output)
    # another program: the parent stays small (no photo in memory), so wait4's peak is the
    # program's own
    return {"seconds": wall, "peak_mb": usage.ru_maxrss / 1024}


def _vipsthumbnail() -> str | None:
    found = shutil.which("vipsthumbnail")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing libvips-tools (vipsthumbnail) with apt-get ...", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=600", "libvips-tools"],
        check=False,
        stdout=subprocess.DEVNULL,
    )
    return shutil.which("vipsthumbnail")


def main() -> None:
    count = int(os.environ.get("WARTA_BENCH_PHOTOS", "50"))
    with tempfile.TemporaryDirectory(prefix="warta-media-bench-") as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        # generated in a child too, so that this process stays small (see _measure)
        subprocess.run([sys.executable, __file__, "--generate", str(count), tmp], check=True)
        paths = sorted(directory.glob("photo-*.jpg"))
        size_mb = sum(path.stat().st_size for path in paths) / count / 1024 / 1024
        print(
            f"{count} photos {WIDTH}×{HEIGHT} (JPEG q90, avg {size_mb:.1f} MB, EXIF orientation "
            f"{'/'.join(map(str, ORIENTATIONS))}, GPS) generated in "
            f"{time.perf_counter() - started:.1f} s; {_versions()}, {os.cpu_count()} CPUs"
        )
        results: dict[str, dict] = {}
        for which in WORKLOADS:
            if which == "vipsthumbnail":
                tool = _vipsthumbnail()
                if tool is None:
                    print(
                        "vipsthumbnail is missing: install Debian's libvips-tools "
                        "(sudo apt-get install libvips-tools) to compare with it"
                    )
                    continue
                out = Path(tempfile.mkdtemp(prefix="vipsthumbnail-"))
                options = "[Q=85,optimize_coding,strip]"
                args = [tool, "-s", "1600x1600>", "-o", f"{out}/%s.jpg{options}", *map(str, paths)]
                results[which] = _measure(args)
                shutil.rmtree(out)
            else:
                args = [sys.executable, __file__, "--child", which, str(directory)]
                results[which] = _measure(args)
        _report(results, count)


def _report(results: dict[str, dict], count: int) -> None:
    print(f"{'workload':<15}{'wall s':>9}{'per photo ms':>14}{'peak RSS MB':>13}")
    for which, result in results.items():
        seconds = result["seconds"]
        print(
            f"{which:<15}{seconds:>9.2f}{seconds / count * 1000:>14.0f}{result['peak_mb']:>13.0f}"
        )
    if "vipsthumbnail" in results:
        ratio = results["warta-web"]["seconds"] / results["vipsthumbnail"]["seconds"]
        verdict = "ok" if ratio <= 1.5 else "MISSED"
        print(f"warta-web / vipsthumbnail = {ratio:.2f}× (goal ≤ 1.5×: {verdict})")
    speedup = results["pillow-all"]["seconds"] / results["warta-all"]["seconds"]
    print(
        f"pillow-all / warta-all = {speedup:.2f}× (goal ≥ 3×: {'ok' if speedup >= 3 else 'MISSED'})"
    )
    peak = max(results[w]["peak_mb"] for w in results if w.startswith("warta"))
    print(f"Warta peak RSS = {peak:.0f} MB (goal < 500 MB: {'ok' if peak < 500 else 'MISSED'})")


def _versions() -> str:
    script = (
        "import pyvips, PIL; print(f'libvips {pyvips.version(0)}.{pyvips.version(1)}."
        "{pyvips.version(2)} (pyvips-binary), Pillow {PIL.__version__}')"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    return found.stdout.strip()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--generate":
        make_photos(Path(sys.argv[3]), int(sys.argv[2]))
    else:
        main()
