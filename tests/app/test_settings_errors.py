"""The app shows a bad setting as the same one Vietnamese line as the CLI, and stops there (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import ConfigError, load_settings
from tests.app.conftest import APP, REPO
from tests.test_config_errors import CASES, BadSetting, assert_one_line_with


@pytest.mark.parametrize("bad", CASES)
@pytest.mark.parametrize("page", [APP, REPO / "pages" / "library.py"], ids=["chat", "library"])
def test_the_app_shows_the_settings_message(
    bad: BadSetting, page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad.apply(tmp_path, monkeypatch)
    with pytest.raises(ConfigError) as info:
        load_settings()
    at = AppTest.from_file(str(page), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    shown = at.error[0].value.replace("\\", "").replace("`", "")  # escape_markdown: backslashes, URLs as code
    assert shown == f"Lỗi cấu hình: {info.value}"
    assert_one_line_with(shown, bad)
    assert not at.chat_input  # the run stopped before the page was drawn
