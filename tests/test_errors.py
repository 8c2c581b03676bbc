"""Every refusal a person can meet derives from the one root and says its HTTP status."""

from __future__ import annotations

import pytest

from warta.accounts.services import DelegationError, SecondFactorError
from warta.errors import WartaError
from warta.media.errors import MediaRefused
from warta.newsroom.errors import EditConflict, NotEditable
from warta.workflow import errors as workflow


def _all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (workflow.NotPermitted("x"), 403),
        (workflow.CaseClosed("selesai"), 409),
        (NotEditable(), 409),
        (EditConflict(), 409),
        (MediaRefused("truncated", "x"), 400),
        (MediaRefused("too-large", "x"), 413),
        (workflow.ReasonRequired(), 400),
        (DelegationError("x"), 400),
        (SecondFactorError("x"), 400),
    ],
)
def test_each_refusal_carries_its_status_and_message(error, status):
    assert isinstance(error, WartaError)
    assert error.status == status
    assert error.message and str(error) == error.message


def test_every_refusal_class_has_a_code_and_a_known_status():
    classes = _all_subclasses(WartaError)
    assert {DelegationError, SecondFactorError, NotEditable, workflow.WorkflowError} <= classes
    for cls in classes:
        assert cls.status in {400, 403, 404, 409}, cls
        assert cls.code and cls.code != WartaError.code, cls
