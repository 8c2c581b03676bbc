"""The reviewer's diff on ordinary and hostile texts: CPU time and work units per case.

    .venv/bin/python bench/diff_bench.py

Each case prints the CPU seconds, the work units charged (see ``newsroom.diff.WORK_BUDGET``) and
whether the "too large" message was shown. No case should come near a second.
"""

from __future__ import annotations

import random
import time

from django.conf import settings

settings.configure(USE_I18N=False)  # the diff needs no database, app or catalogue

from warta.newsroom.diff import compare  # noqa: E402


def paragraphs(words: list[str]) -> str:
    return "".join(f"<p>{word}</p>" for word in words)


def article(rng: random.Random, paragraphs_count: int, words: int = 80) -> list[str]:
    vocabulary = [f"kata{i}" for i in range(3000)]
    return [" ".join(rng.choices(vocabulary, k=words)) for _ in range(paragraphs_count)]


def cases() -> list[tuple[str, str, str]]:
    rng = random.Random(8)
    ordinary = article(rng, 40)
    edited = [
        p if i % 7 else p.replace("kata1", "kata2") + " tambahan" for i, p in enumerate(ordinary)
    ]
    big = article(rng, 400)
    big_edited = [p if i % 5 else p + " diubah" for i, p in enumerate(big)]
    half = 190_000 // 4
    return [
        ("ordinary article, edited", paragraphs(ordinary), paragraphs(edited)),
        ("200 KB article, every 5th edited", paragraphs(big), paragraphs(big_edited)),
        (
            "one paragraph of one word repeated",
            "<p>" + "a " * half + "</p>",
            "<p>" + "a b " * (half // 2) + "</p>",
        ),
        ("many one-word paragraphs", paragraphs(["a"] * 20_000), paragraphs(["a", "b"] * 10_000)),
        ("interleaved words (hostile)", "<p>" + "a " * 600 + "</p>", "<p>" + "a b " * 300 + "</p>"),
        (
            "0.8 MB versions, all paragraphs differ",
            paragraphs(article(rng, 1100)),
            paragraphs(article(rng, 1100)),
        ),
        ("two 5 MB versions", "<p>" + "x " * 2_500_000 + "</p>", "<p>" + "y " * 2_500_000 + "</p>"),
    ]


def main() -> None:
    for name, old, new in cases():
        started = time.process_time()
        result = compare(old, new)
        seconds = time.process_time() - started
        print(f"{name:40} {seconds:7.3f} s  {result.work:>10} units  too large: {result.too_large}")


if __name__ == "__main__":
    main()
