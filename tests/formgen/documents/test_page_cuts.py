"""The page limit says how much to cut, measured with the real layout (issue 16, item 4)."""

from __future__ import annotations

from typing import Any

import pytest

from formgen.core.errors import PageLimitExceeded
from formgen.core.registry import get_form
from formgen.documents.pages import enforce_limit
from formgen.engine import pipeline

SENTENCE = "Mum says the arguments at home have got worse since the summer and the children hear them. "


def _toy_pages(data: Any) -> int:
    """A stand-in layout: a page per 1,000 characters of text."""
    return 1 + sum(len(value) for value in data.values() if isinstance(value, str)) // 1000


def test_only_the_answers_over_the_fitting_length_are_named_with_their_cut() -> None:
    data = {"worried": "w" * 2500, "well": "x" * 900, "plan": "y" * 300, "name": "Zofia Wójcik"}
    with pytest.raises(PageLimitExceeded) as caught:
        enforce_limit(_toy_pages(data), 3, data, _toy_pages)
    cuts = caught.value.cuts
    assert list(cuts) == ["worried"]  # cutting it alone is enough: the others' length does not matter
    fitted = dict(data, worried="w" * (2500 - cuts["worried"].cut_characters))
    assert _toy_pages(fitted) <= 3
    assert 713 <= cuts["worried"].cut_characters <= 800  # 713 must go (3,712 characters, 3 pages of 1,000)


def test_without_a_layout_or_room_in_prose_it_still_names_the_longest() -> None:
    data = {"worried": "w" * 2500, "well": "x" * 900}
    with pytest.raises(PageLimitExceeded) as caught:
        enforce_limit(9, 2, data)
    assert caught.value.cuts == {} and caught.value.longest[0] == ("worried", 2500)
    with pytest.raises(PageLimitExceeded) as caught:
        enforce_limit(9, 2, data, lambda _: 9)  # even short answers do not fit: no cut to promise
    assert caught.value.cuts == {} and "fewer rows" in caught.value.detail


def _issue_body() -> dict[str, Any]:
    """The issue's case: 3,900 characters worried, 1,800 working well, 365 (untouched) what needs to happen."""
    body = dict(get_form("manchester-allocations-pro-forma").example)
    body["worried_about"] = (SENTENCE * 50)[:3900]
    body["working_well"] = (SENTENCE * 30)[:1800]
    assert len(body["needs_to_happen"]) == 365
    return body


def test_the_manchester_pro_forma_says_how_much_to_cut_and_that_cut_is_enough() -> None:
    form = get_form("manchester-allocations-pro-forma")
    body = _issue_body()
    with pytest.raises(PageLimitExceeded) as caught:
        pipeline.check(form, body)
    error = caught.value
    assert list(error.cuts) == ["worried_about"]
    cut = error.cuts["worried_about"]
    assert 1000 <= cut.cut_characters <= 2000 and cut.cut_lines >= 10
    assert f"worried_about by about {cut.cut_characters:,} characters" in error.detail
    assert pipeline.check(form, dict(body, worried_about=body["worried_about"][: 3900 - cut.cut_characters])) == 2
    with pytest.raises(PageLimitExceeded):  # the amount is measured, not generous: half of it is not enough
        pipeline.check(form, dict(body, worried_about=body["worried_about"][: 3900 - cut.cut_characters // 2]))
