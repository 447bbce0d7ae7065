"""What the solidarity tests build on: a fund's usual settings, and how to read a refusal."""

import re

import pytest
from django.utils.translation import gettext

from marketplace.solidarity.services import FundSettings

SETTINGS = FundSettings(
    name="Caisse de solidarité du pays de Rennes",
    rate_min="10",
    rate_max="50",
    rate_step="5",
    reserve="200.00",
)


def said(refused: pytest.ExceptionInfo, message: str) -> bool:
    """The refusal says ``message`` (its translation, placeholders left out)."""
    text = str(refused.value)
    return all(part in text for part in re.split(r"%\(\w+\)s", gettext(message)) if part)
