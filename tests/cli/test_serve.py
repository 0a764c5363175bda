"""`nghiquyet serve`: finds the installed app, passes the app's Streamlit settings as flags.

The real start (ingest of an empty index, then the app in a browser) is tests/app/test_browser.py.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from click.testing import CliRunner

from nghiquyet.cli import main
from nghiquyet.cli.serve import FALLBACK_STREAMLIT_CONFIG, locate_app, streamlit_command, streamlit_config
from core.config import Settings
from tests.conftest import REPO

SECURITY_KEYS = (
    "server.enableXsrfProtection",
    "server.enableCORS",
    "server.address",
    "server.headless",
    "server.maxUploadSize",
    "client.showErrorDetails",
    "browser.gatherUsageStats",
)


def repo_config() -> dict:
    return tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_repo_streamlit_config_is_locked_down() -> None:
    config = repo_config()
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["headless"] is True
    assert 0 < config["server"]["maxUploadSize"] <= 200
    assert config["client"]["showErrorDetails"] in ("none", "stacktrace", "type", False)
    assert config["client"]["showErrorDetails"] != "full"
    assert config["browser"]["gatherUsageStats"] is False


def test_fallback_config_matches_the_repo_file_on_security_settings() -> None:
    repo = streamlit_config(REPO / "app.py")
    fallback = streamlit_config(Path("/nonexistent/app.py"))
    for key in SECURITY_KEYS:
        assert fallback[key] == repo[key], key
    assert set(FALLBACK_STREAMLIT_CONFIG) <= set(repo_config())


def test_locate_app_finds_the_installed_module() -> None:
    app = locate_app()
    assert app.name == "app.py" and (app.parent / "pages" / "library.py").is_file()
    assert app.resolve() == (REPO / "app.py").resolve()


def test_streamlit_command_carries_host_port_settings_and_upload_limit(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path, upload_max_mb=120.5)
    command = streamlit_command(REPO / "app.py", settings, host="0.0.0.0", port=8765)
    assert command[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert command[-1] == str(REPO / "app.py")
    flags = set(command[4:-1])
    assert {"--server.address=0.0.0.0", "--server.port=8765", "--server.enableXsrfProtection=true",
            "--client.showErrorDetails=none", "--browser.gatherUsageStats=false",
            "--server.maxUploadSize=121"} <= flags


def test_serve_help_is_in_vietnamese() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--host" in result.output and "--store" in result.output
    assert "Chạy ứng dụng hỏi đáp" in result.output
