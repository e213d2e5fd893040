"""Dates typed the Vietnamese way are read day first, in every form (the admin's included)."""

import datetime as dt

import pytest
from django import forms
from django.utils import translation


@pytest.mark.parametrize("typed", ["01/07/2025", "01-07-2025", "01.07.2025", "2025-07-01"])
def test_a_vietnamese_date_is_read_day_first(typed):
    with translation.override("vi"):
        assert forms.DateField().clean(typed) == dt.date(2025, 7, 1)


def test_a_date_that_cannot_be_day_first_is_refused():
    with translation.override("vi"), pytest.raises(forms.ValidationError):
        forms.DateField().clean("07/31/2025")  # month first: no 31st month


def test_numbers_keep_djangos_vietnamese_format():
    from django.utils import formats

    with translation.override("vi"):
        assert formats.number_format(89.3, 2) == "89,30"
        assert formats.date_format(dt.date(2025, 7, 1), "SHORT_DATE_FORMAT") == "01-07-2025"
