"""A readable diff of two versions of a news text, for the reviewer after a return: word by
word within paragraphs, marked with <ins> and <del>."""

from __future__ import annotations

import difflib
import re
from html import unescape

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def text_blocks(html: str) -> list[str]:
    """The paragraphs (headings, list items) of ``html`` as plain text."""
    text = _BLOCK_END.sub("\n", html or "")
    text = unescape(_TAG.sub("", text))
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _words(block: str) -> list[str]:
    return re.findall(r"\S+\s*", block)


def _inline(old: str, new: str) -> str:
    a, b = _words(old), _words(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]).rstrip())}</del> ")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]).rstrip())}</ins> ")
    return "".join(out).strip()


def html_diff(
    old_html: str, new_html: str, *, old_title: str = "", new_title: str = ""
) -> SafeString:
    """Paragraph-aligned diff; unchanged paragraphs are shown plainly for context."""
    old, new = text_blocks(old_html), text_blocks(new_html)
    if old_title or new_title:
        old, new = [old_title, *old], [new_title, *new]
    parts = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.extend(f'<p class="same">{escape(block)}</p>' for block in old[i1:i2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            parts.extend(
                f'<p class="changed">{_inline(a, b)}</p>'
                for a, b in zip(old[i1:i2], new[j1:j2], strict=True)
            )
        else:
            parts.extend(f'<p class="removed"><del>{escape(b)}</del></p>' for b in old[i1:i2])
            parts.extend(f'<p class="added"><ins>{escape(b)}</ins></p>' for b in new[j1:j2])
    return mark_safe("\n".join(parts))


def has_changes(old_html: str, new_html: str) -> bool:
    return text_blocks(old_html) != text_blocks(new_html)
