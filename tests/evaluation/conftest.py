"""Fixtures for the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evaluation.builders import QUESTIONS_FILE


@pytest.fixture
def questions_file() -> Path:
    return QUESTIONS_FILE
