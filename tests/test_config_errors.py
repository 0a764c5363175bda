"""A bad setting is told plainly: one Vietnamese line naming the variable and the fix, everywhere.

Each bad combination below goes through the settings object, `nghiquyet ask`, `nghiquyet serve` and
(once, end to end) the installed console script; the app shows the same line (tests/app/test_settings_errors.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.config import ConfigError, load_settings
from nghiquyet.cli import main
from tests.conftest import REPO


@dataclass(frozen=True)
class BadSetting:
    env: dict[str, str]
    expected: tuple[str, ...]           # fragments of the message: the variable, the value, the fix
    toml: str | None = None             # written to ./nghiquyet.toml (the default config file)

    def apply(self, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        if self.toml is not None:
            (directory / "nghiquyet.toml").write_text(self.toml, encoding="utf-8")


BAD_SETTINGS: dict[str, BadSetting] = {
    "llm backend without a model": BadSetting(
        {"NGHIQUYET_LLM_BACKEND": "openai"}, ("NGHIQUYET_LLM_BACKEND=openai", "NGHIQUYET_LLM_MODEL", "=none")
    ),
    "openai backend without an address": BadSetting(
        {"NGHIQUYET_LLM_BACKEND": "openai", "NGHIQUYET_LLM_MODEL": "qwen"},
        ("NGHIQUYET_LLM_BASE_URL", "http://localhost:8080/v1"),
    ),
    "port that is not a number": BadSetting(
        {"NGHIQUYET_CHROMA_PORT": "abc"}, ("NGHIQUYET_CHROMA_PORT=abc", "số nguyên", "NGHIQUYET_CHROMA_PORT=8000")
    ),
    "value with a line break": BadSetting({"NGHIQUYET_CHROMA_PORT": "80\n80"}, ("NGHIQUYET_CHROMA_PORT=80 80",)),
    "port out of range": BadSetting({"NGHIQUYET_CHROMA_PORT": "70000"}, ("NGHIQUYET_CHROMA_PORT=70000", "65535")),
    "unknown llm backend": BadSetting(
        {"NGHIQUYET_LLM_BACKEND": "gpt4"}, ("NGHIQUYET_LLM_BACKEND=gpt4", "none, openai, ollama")
    ),
    "flag that is not true or false": BadSetting(
        {"NGHIQUYET_EMBEDDING_ALLOW_DOWNLOAD": "maybe"},
        ("NGHIQUYET_EMBEDDING_ALLOW_DOWNLOAD=maybe", "true hoặc false"),
    ),
    "wrong type in the config file": BadSetting(
        {}, ('top_k = "many"', "nghiquyet.toml", "số nguyên", "top_k = 5"), toml='top_k = "many"\n'
    ),
    "unknown choice in the config file's table": BadSetting(
        {}, ('fusion = "best"', "rrf, weighted"), toml='[nghiquyet]\nfusion = "best"\n'
    ),
    "config file with a syntax error": BadSetting(
        {}, ("nghiquyet.toml", "sai cú pháp TOML", "dòng 2", "khóa = giá trị"), toml='top_k = 5\nstore_dir = = "x"\n'
    ),
    "config file named but missing": BadSetting(
        {"NGHIQUYET_CONFIG": "khong-co.toml"}, ("khong-co.toml", "NGHIQUYET_CONFIG", "sửa đường dẫn")
    ),
}
CASES = [pytest.param(bad, id=name) for name, bad in BAD_SETTINGS.items()]


def assert_one_line_with(message: str, bad: BadSetting) -> None:
    assert message.strip().count("\n") == 0, message
    for fragment in bad.expected:
        assert fragment in message, (fragment, message)
    for english in ("Traceback", "validation error", "Input should", "For further information", "Error:"):
        assert english not in message, message


@pytest.mark.parametrize("bad", CASES)
def test_settings_raise_one_vietnamese_line(bad: BadSetting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad.apply(tmp_path, monkeypatch)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert_one_line_with(str(info.value), bad)


@pytest.mark.parametrize("bad", CASES)
def test_ask_prints_the_message_and_exits_1(bad: BadSetting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad.apply(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["ask", "x"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert result.stderr.startswith("Lỗi cấu hình: ")
    assert_one_line_with(result.stderr, bad)


@pytest.mark.parametrize("bad", CASES)
def test_serve_prints_the_message_and_starts_nothing(
    bad: BadSetting, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad.apply(tmp_path, monkeypatch)

    def no_app(*args: object) -> None:
        raise AssertionError("serve started the app despite a bad setting")

    monkeypatch.setattr("nghiquyet.cli.serve.os.execvpe", no_app)
    result = CliRunner().invoke(main, ["serve", "--no-ingest"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith("Lỗi cấu hình: ")
    assert_one_line_with(result.stderr, bad)


@pytest.mark.parametrize(
    "name", ["llm backend without a model", "port that is not a number", "config file with a syntax error"]
)
def test_the_console_script_shows_no_traceback(name: str, tmp_path: Path) -> None:
    bad = BAD_SETTINGS[name]
    if bad.toml is not None:
        (tmp_path / "nghiquyet.toml").write_text(bad.toml, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGHIQUYET_")}
    env.update(bad.env, PYTHONPATH=str(REPO), NGHIQUYET_STORE_DIR=str(tmp_path / "store"), COLUMNS="200")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from nghiquyet.cli import main; sys.argv[0] = 'nghiquyet'; main()", "ask", "x"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Lỗi cấu hình: ")
    assert_one_line_with(done.stderr, bad)


def test_a_good_config_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "nghiquyet.toml").write_text('[nghiquyet]\ntop_k = 7\nfusion = "rrf"\n', encoding="utf-8")
    settings = load_settings()
    assert (settings.top_k, settings.fusion) == (7, "rrf")


def test_an_explicit_argument_is_named_as_such() -> None:
    with pytest.raises(ConfigError, match=r"^top_k='nhiều' không hợp lệ: cần một số nguyên, ví dụ top_k=5\.$"):
        load_settings(top_k="nhiều")
