"""What a transition asks once: the calendar and a person's role (``workflow.memo``), the
subject's media for all artifact checks of a step (``registry.artifacts_present``) — and that
nothing is kept beyond the transition that asked."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from warta.workflow import memo, registry


@pytest.fixture
def calendar_reads(monkeypatch):
    from warta.worktime import config

    reads = []
    real = config.get_calendar

    def counting(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(config, "get_calendar", counting)
    return reads


@pytest.mark.django_db
def test_the_calendar_is_read_once_a_transition_and_afresh_outside(calendar_reads):
    with memo.scope():
        first, second = memo.calendar(), memo.calendar()
    assert first is second and len(calendar_reads) == 1
    memo.calendar()
    memo.calendar()
    assert len(calendar_reads) == 3  # outside a transition nothing is kept


def test_a_nested_scope_shares_the_outer_memo():
    computed = []
    with memo.scope():
        memo.remember("k", lambda: computed.append(1))
        with memo.scope():
            memo.remember("k", lambda: computed.append(2))
    with memo.scope():
        memo.remember("k", lambda: computed.append(3))
    assert computed == [1, 3]


class _Counting:
    def __init__(self, name: str, reads: list[str], holds) -> None:
        self.name, self.label, self.reads, self.holds = name, name, reads, holds

    def present(self, case):
        media = registry.shared_read(("test.media", case.pk), lambda: self.reads.append(1) or 7)
        return self.holds(media)


@pytest.fixture
def providers():
    reads: list[str] = []
    found = [
        _Counting("test.photos", reads, lambda media: media > 5),
        _Counting("test.videos", reads, lambda media: media > 9),
    ]
    for provider in found:
        registry.register_provider(provider)
    yield reads
    for provider in found:
        registry.unregister_provider(provider.name)


def _artifact(artifact_id: str, provided_by: str):
    return SimpleNamespace(id=artifact_id, provided_by=provided_by)


def test_one_check_reads_the_subject_once_for_every_artifact(providers):
    case = SimpleNamespace(pk=1)
    artifacts = [
        _artifact("foto", "test.photos"),
        _artifact("video", "test.videos"),
        _artifact("foto", "test.photos"),  # listed again by the step's output
        _artifact("ttd", ""),  # confirmed by the executor
    ]
    answers = registry.artifacts_present(artifacts, case)
    assert answers == {"foto": True, "video": False, "ttd": None}
    assert len(providers) == 1
    registry.artifacts_present(artifacts, case)
    assert len(providers) == 2  # a later check reads again: the subject may have changed
    registry.artifact_present(artifacts[0], case)
    assert len(providers) == 3
