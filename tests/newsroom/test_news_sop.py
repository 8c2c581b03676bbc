"""Which SOP new news items run under: the active one whose first step writes the item."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, SHIPPED
from tests.sop_rename import renamed_definition
from warta.newsroom.errors import NoNewsSop
from warta.newsroom.selectors import news_sop
from warta.sop.services import load_sop

HUMAS = SHIPPED / "sdm-6-ot-02-02-3002.yaml"


@pytest.mark.django_db
def test_the_sop_whose_first_step_writes_the_item_is_chosen(settings):
    load_sop(path_or_text=FIXTURES / "sop-peminjaman-ruang.yaml")  # starts with no editing
    with pytest.raises(NoNewsSop):
        news_sop()
    humas = load_sop(path_or_text=HUMAS)
    assert news_sop() == humas
    text, _ids = renamed_definition(HUMAS.read_text(encoding="utf-8"))
    other = load_sop(path_or_text=text.replace("SDM.6.OT.02.02-3002", "UNIT.LAIN-01"))
    with pytest.raises(NoNewsSop):  # two candidates and no choice: refused, not guessed
        news_sop()
    settings.WARTA_NEWSROOM_SOP = other.code
    assert news_sop() == other
    settings.WARTA_NEWSROOM_SOP = humas.code
    assert news_sop() == humas
