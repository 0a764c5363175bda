"""The app shows a bad setting as the same one Vietnamese line as the CLI, and stops there (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import ConfigError, load_settings
from tests.app.conftest import APP, REPO
from tests.test_config_errors import BAD_SETTINGS, CASES, BadSetting, assert_one_line_with


# Every bad combination on the chat page; the library page reads settings the same way (three of them).
PAGES = [pytest.param(APP, case.values[0], id=f"chat-{case.id}") for case in CASES] + [
    pytest.param(REPO / "pages" / "library.py", BAD_SETTINGS[name], id=f"library-{name}")
    for name in ("llm backend without a model", "port that is not a number", "config file with a syntax error")
]


@pytest.mark.parametrize(("page", "bad"), PAGES)
def test_the_app_shows_the_settings_message(
    page: Path, bad: BadSetting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
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
