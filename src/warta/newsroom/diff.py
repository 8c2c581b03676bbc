"""A readable diff of two versions of a news text, for the reviewer after a return: word by
word within paragraphs, marked with <ins> and <del>.

The work is bounded whatever the texts hold. ``difflib.SequenceMatcher`` can take time far beyond
quadratic on unlucky input (two 5 MB versions never finished), so every search for a matching run
is charged against ``WORK_BUDGET`` before it starts: once a word-by-word comparison would exceed
it, the paragraph is shown as removed and added instead; once the paragraph alignment itself would
exceed it, or the two versions together are longer than ``MAX_DIFF_HTML_CHARS``, a plain message
says the difference is too large to show. Within the budget the output is exactly difflib's.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import unescape
from itertools import accumulate

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Two texts longer than this together (HTML characters) are not compared at all: five times the
# news body limit each (see ``limits.MAX_BODY_CHARS``), so versions saved within the limit are.
MAX_DIFF_HTML_CHARS = 2_000_000
# Units of work for all the matching in one diff; one unit is one candidate position visited
# by ``find_longest_match`` (about 0.1 µs at most), so the whole diff stays well under a second.
WORK_BUDGET = 3_000_000


class _OverBudget(Exception):
    pass


class _Budget:
    def __init__(self, units: int) -> None:
        self.left = units
        self.used = 0

    def charge(self, units: int) -> None:
        if units > self.left:
            self.left = 0
            raise _OverBudget
        self.left -= units
        self.used += units


class _BoundedMatcher(difflib.SequenceMatcher):
    """A SequenceMatcher that charges each longest-match search before doing it. The search
    visits, for each position ``i`` in ``a[alo:ahi]``, the positions of ``a[i]`` in ``b``; a
    running sum of those counts gives the cost of any range at once."""

    def __init__(self, a: list[str], b: list[str], budget: _Budget) -> None:
        self.budget = budget
        super().__init__(None, a, b, autojunk=False)
        self._visits = list(accumulate((len(self.b2j.get(x, ())) + 1 for x in a), initial=0))

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> difflib.Match:
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self.budget.charge(self._visits[ahi] - self._visits[alo] if ahi > alo else 0)
        return super().find_longest_match(alo, ahi, blo, bhi)


@dataclass(frozen=True)
class Comparison:
    html: SafeString
    too_large: bool
    work: int


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def text_blocks(html: str) -> list[str]:
    """The paragraphs (headings, list items) of ``html`` as plain text."""
    text = _BLOCK_END.sub("\n", html or "")
    text = unescape(_TAG.sub("", text))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _words(block: str) -> list[str]:
    return re.findall(r"\S+\s*", block)


def _inline(old: str, new: str, budget: _Budget) -> str:
    a, b = _words(old), _words(new)
    out = []
    for op, i1, i2, j1, j2 in _BoundedMatcher(a, b, budget).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]).rstrip())}</del> ")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]).rstrip())}</ins> ")
    return "".join(out).strip()


def _removed_added(old: list[str], new: list[str]) -> list[str]:
    return [
        *(f'<p class="removed"><del>{escape(b)}</del></p>' for b in old),
        *(f'<p class="added"><ins>{escape(b)}</ins></p>' for b in new),
    ]


def _too_large(budget: _Budget) -> Comparison:
    message = escape(_("The difference is too large to show here."))
    return Comparison(mark_safe(f'<p class="too-large">{message}</p>'), True, budget.used)


def compare(
    old_html: str, new_html: str, *, old_title: str = "", new_title: str = ""
) -> Comparison:
    """The paragraph-aligned diff with whether it was too large to compute and the work used."""
    budget = _Budget(WORK_BUDGET)
    if len(old_html or "") + len(new_html or "") > MAX_DIFF_HTML_CHARS:
        return _too_large(budget)
    old, new = text_blocks(old_html), text_blocks(new_html)
    if old_title or new_title:
        old, new = [old_title, *old], [new_title, *new]
    try:
        opcodes = _BoundedMatcher(old, new, budget).get_opcodes()
    except _OverBudget:
        return _too_large(budget)
    parts = []
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            parts.extend(f'<p class="same">{escape(block)}</p>' for block in old[i1:i2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                try:
                    parts.append(f'<p class="changed">{_inline(a, b, budget)}</p>')
                except _OverBudget:
                    parts.extend(_removed_added([a], [b]))
        else:
            parts.extend(_removed_added(old[i1:i2], new[j1:j2]))
    return Comparison(mark_safe("\n".join(parts)), False, budget.used)


def html_diff(
    old_html: str, new_html: str, *, old_title: str = "", new_title: str = ""
) -> SafeString:
    """Paragraph-aligned diff; unchanged paragraphs are shown plainly for context."""
    return compare(old_html, new_html, old_title=old_title, new_title=new_title).html


def has_changes(old_html: str, new_html: str) -> bool:
    return text_blocks(old_html) != text_blocks(new_html)
