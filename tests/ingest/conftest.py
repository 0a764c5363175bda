"""Fixtures shared by the ingestion tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),          # Debian fonts-dejavu-core
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)


@pytest.fixture(scope="session")
def font() -> Path:
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    pytest.skip("cần một phông TrueType có chữ tiếng Việt (gói Debian fonts-dejavu-core) để tạo PDF thử")
