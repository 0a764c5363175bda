"""Fixtures for robustness tests: command-line processes, a real Chroma server, output checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

NGHIQUYET = Path(sys.executable).with_name("nghiquyet")
CHROMA = Path(sys.executable).with_name("chroma")
HASH_CLI = [sys.executable, "-m", "tests.robustness.hash_cli"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every robustness test drives processes, files and faults of the machine: `system` (not in make check)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.system)
CLI_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli_env(store_dir: Path, **settings: object) -> dict[str, str]:
    """The environment of a command-line process: no developer NGHIQUYET_* leaks in, only `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGHIQUYET_")}
    env.update(NGHIQUYET_STORE_DIR=str(store_dir), COLUMNS="200", PYTHONPATH=str(REPO), NO_COLOR="1")
    for key, value in settings.items():
        env[key if key.isupper() else f"NGHIQUYET_{key.upper()}"] = str(value)
    return env


def run(command: list[str], env: dict[str, str], cwd: Path, timeout_s: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout_s)


def output(result: subprocess.CompletedProcess[str] | object) -> str:
    """stdout + stderr with whitespace collapsed, so a message wrapped by the console still matches."""
    text = f"{getattr(result, 'stdout', '') or ''} {getattr(result, 'stderr', '') or ''}"
    return " ".join(text.split())


def assert_refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    """A clean refusal: non-zero exit, the Vietnamese message, no Python traceback."""
    text = output(result)
    assert result.returncode not in (0, None) and result.returncode > 0, text
    assert message in text, text
    assert "Traceback" not in text, text


class ChromaServer:
    """A `chroma run` process on 127.0.0.1; can be killed and started again on the same port and data."""

    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port = path, port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 90.0) -> None:
        log = open(self.path.parent / f"chroma-{self.port}.log", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.path), "--port", str(self.port), "--host", "127.0.0.1"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"http://{self.address}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError("chroma server did not answer its heartbeat")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One real Chroma server for a test module (tests that stop it start it again)."""
    root = tmp_path_factory.mktemp("chroma-server")
    server = ChromaServer(root / "data", free_port())
    server.start()
    yield server
    server.kill()
