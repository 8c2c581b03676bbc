"""Size limits of a news item's content, so that no page or request can be made to do unbounded
work by what was typed or uploaded (see ``docs/newsroom.md``, "Limits").

Upload limits (bytes, pixels) live in ``uploads``; the diff's own bounds live in ``diff``.
"""

from __future__ import annotations

# The news text as the editor sends it (HTML characters). An institution's news article is a few
# thousand characters; this is a hundred times that, and still small enough to compare quickly.
MAX_BODY_CHARS = 200_000
# Coverage notes taken at the activity (plain text): names, titles, what was said.
MAX_COVERAGE_NOTES_CHARS = 20_000
# The longest return, refusal or hand-over note is the engine's (``warta.workflow.limits``).
from warta.workflow.limits import NOTE_MAX_LENGTH  # noqa: E402

__all__ = ["MAX_BODY_CHARS", "MAX_COVERAGE_NOTES_CHARS", "NOTE_MAX_LENGTH"]
