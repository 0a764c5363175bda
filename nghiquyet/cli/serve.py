"""`nghiquyet serve`: fill an empty index with the bundled corpus, then run the Streamlit app.

Works from a checkout and from an installed package: the app is found through the installed
top-level module `app` (pyproject's `py-modules`), and the app's Streamlit settings are passed as
command-line flags, so they apply whatever the working directory is.
"""

from __future__ import annotations

import importlib.util
import math
import os
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from nghiquyet.cli.common import console, friendly_errors, make_settings, store_option
from core.config import Settings
from core.errors import AppNotFound

# Used when the app's `.streamlit/config.toml` is not beside it (a non-editable install does not
# ship dot-directories). The security-relevant values must match that file; a test checks they do.
FALLBACK_STREAMLIT_CONFIG: dict[str, dict[str, Any]] = {
    "server": {
        "headless": True,
        "address": "127.0.0.1",
        "enableXsrfProtection": True,
        "enableCORS": True,
        "maxUploadSize": 50,
        "runOnSave": False,
        "fileWatcherType": "none",
    },
    "client": {"showErrorDetails": "none", "toolbarMode": "viewer"},
    "browser": {"gatherUsageStats": False},
    "runner": {"magicEnabled": False},
    "theme": {"base": "light", "primaryColor": "#A61B1B", "baseFontSize": 18},
}


def locate_app() -> Path:
    """Path of the installed `app.py` (the module `app`), checked to be this product's app."""
    spec = importlib.util.find_spec("app")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    if origin is None or not (origin.parent / "pages" / "library.py").is_file():
        raise AppNotFound(
            "Không tìm thấy ứng dụng Streamlit (app.py và thư mục pages/) của nghiquyet.",
            "Cài lại gói: pip install -e . (trong thư mục mã nguồn).",
        )
    return origin


def _flags(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flags(value, name + "."))
        else:
            out[name] = value
    return out


def streamlit_config(app: Path) -> dict[str, Any]:
    """The app's Streamlit settings as flat `section.key` options."""
    path = app.parent / ".streamlit" / "config.toml"
    if path.is_file():
        with path.open("rb") as handle:
            return _flags(tomllib.load(handle))
    return _flags(FALLBACK_STREAMLIT_CONFIG)


def _flag_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def streamlit_command(app: Path, settings: Settings, *, host: str, port: int) -> list[str]:
    """`python -m streamlit run` with the app's settings, the chosen address and the upload limit."""
    options = streamlit_config(app)
    options["server.address"] = host
    options["server.port"] = port
    # Streamlit's own ceiling must let through what the library page accepts (it refuses the rest
    # itself, with a Vietnamese message).
    options["server.maxUploadSize"] = max(int(options.get("server.maxUploadSize", 0)), math.ceil(settings.upload_max_mb))
    flags = [f"--{name}={_flag_value(value)}" for name, value in options.items()]
    return [sys.executable, "-m", "streamlit", "run", *flags, str(app)]


def ensure_corpus(settings: Settings) -> None:
    """Ingest the bundled corpus when the index holds no document; print what happened."""
    from nghiquyet.engine import Engine

    engine = Engine(settings)
    try:
        if engine.documents():
            return
        corpus = settings.corpus_dir
        if not corpus.is_dir():
            console.print(
                f"Chỉ mục trống và không có bộ tài liệu mẫu ({corpus}). Hãy nạp tài liệu ở trang Thư viện tài liệu."
            )
            return
        console.print(f"Chỉ mục trống: đang nạp bộ tài liệu mẫu từ {corpus} …")
        report = engine.ingest([corpus], progress=_printer())
        console.print(report.summary())
    finally:
        if "store" in engine.__dict__:  # release the embedded store before the app opens it
            engine.store.close()


def _printer():  # type: ignore[no-untyped-def]
    last: dict[str, object] = {}

    def show(event) -> None:  # type: ignore[no-untyped-def]
        if event.stage in ("embed", "done") and last.get("path") != (event.path, event.stage):
            last["path"] = (event.path, event.stage)
            name = Path(event.path).name
            state = "xong" if event.stage == "done" else f"tính vector {event.passages_total} đoạn"
            console.print(f"  [{event.index}/{event.total}] {name}: {state}")

    return show


@click.command("serve")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Cổng của ứng dụng web.")
@click.option(
    "--host", default="127.0.0.1", show_default=True,
    help="Địa chỉ lắng nghe. 127.0.0.1: chỉ máy này; 0.0.0.0: mọi máy trong mạng (ứng dụng không có đăng nhập).",
)
@click.option("--no-ingest", is_flag=True, help="Không tự nạp bộ tài liệu mẫu khi chỉ mục trống.")
@store_option
@friendly_errors
def serve(port: int, host: str, no_ingest: bool, store_dir: Path | None) -> None:
    """Chạy ứng dụng hỏi đáp (Streamlit); nạp bộ tài liệu mẫu nếu chỉ mục đang trống."""
    settings = make_settings(store_dir)
    app = locate_app()
    if not no_ingest:
        ensure_corpus(settings)
    command = streamlit_command(app, settings, host=host, port=port)
    env = dict(os.environ)
    env["NGHIQUYET_STORE_DIR"] = str(Path(settings.store_dir).resolve())
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    console.print(f"Ứng dụng: http://{shown}:{port}  (Ctrl+C để dừng)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print("[yellow]Lưu ý:[/] ứng dụng mở cho các máy khác trong mạng và không có đăng nhập.")
    sys.stdout.flush()
    # The app replaces this process: Ctrl+C and signals reach Streamlit directly.
    os.execvpe(command[0], command, env)


COMMANDS: list[click.Command] = [serve]
