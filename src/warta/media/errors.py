"""Why a media file was refused.

A refusal changes nothing: the caller deletes whatever it received and shows ``message`` (already
translated, naming the file and the reason). ``code`` is a stable name for scripts and tests:

``empty``        the file has no bytes
``too-large``    over the size limit
``not-media``    not a photo or video at all (HTML, PDF, ZIP, text, ...)
``svg``          an SVG drawing (refused explicitly: it can carry scripts)
``wrong-type``   a photo or video, but of a kind Warta does not take here (TIFF, AVIF, a video
                 given as a photo, ...)
``bomb``         declares more pixels than the limit (a "decompression bomb")
``truncated``    the header is fine but the data ends early or is damaged
``unreadable``   the decoder could not read it at all
``too-long``     a video longer than the allowed length
``focus``        a focus point outside the photo
``poster``       a poster time that is not one of the video's candidate frames
"""

from __future__ import annotations

from warta.errors import WartaError

CODES = (
    "empty",
    "too-large",
    "not-media",
    "svg",
    "wrong-type",
    "bomb",
    "truncated",
    "unreadable",
    "too-long",
    "focus",
    "poster",
)


class MediaRefused(WartaError):
    """A media file Warta will not store; ``code`` says why, ``message`` tells the person."""

    code = "media-refused"  # each refusal sets its own (CODES)
    status = 400

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        if code == "too-large":
            self.status = 413

    def __repr__(self) -> str:
        return f"MediaRefused({self.code!r}, {self.message!r})"


__all__ = ["CODES", "MediaRefused"]
