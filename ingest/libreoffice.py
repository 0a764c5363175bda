"""Old Word (.doc), RTF and OpenDocument (.odt) files, converted to .docx by LibreOffice in headless mode.

Writing a reader for each of these formats would be a project of its own; LibreOffice (Debian
`libreoffice-writer-nogui`) already reads them all, so the file is converted to .docx in a private
temporary directory and read like any Word file. Each conversion gets its own user profile: a second
LibreOffice sharing the default profile waits on its lock or exits at once without converting, and a
user's open LibreOffice must not be disturbed. The whole process group is killed on timeout, since
`soffice` is a launcher that leaves `soffice.bin` behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.errors import IngestError, UnsupportedFileType

CONVERTED_SUFFIXES = frozenset({".doc", ".rtf", ".odt"})
_INSTALL = "Hãy cài LibreOffice (Debian: apt-get install libreoffice-writer-nogui) rồi nạp lại"


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextmanager
def converted_to_docx(path: Path, *, timeout_s: float) -> Iterator[Path]:
    """A .docx made from `path` by LibreOffice, deleted on exit; raises IngestError subclasses."""
    name = path.name
    _check_format(path)
    program = soffice()
    if program is None:
        raise UnsupportedFileType(
            f"Tệp “{name}” ({path.suffix.lower()}) cần LibreOffice để đọc, nhưng máy chưa cài LibreOffice.",
            hint=f"{_INSTALL}, hoặc mở tệp bằng Word/LibreOffice và lưu lại dưới dạng .docx.",
        )
    with tempfile.TemporaryDirectory(prefix="nghiquyet-office-") as tmp:
        work = Path(tmp)
        source = work / f"input{path.suffix.lower()}"  # a plain name: LibreOffice names its output after it
        shutil.copyfile(path, source)
        command = [
            program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--nolockcheck", "--nodefault", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"),
            str(source),
        ]
        env = {**os.environ, "HOME": str(work)}  # LibreOffice writes caches under $HOME too
        child = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=work, start_new_session=True,
        )
        try:
            _, stderr = child.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise IngestError(
                f"LibreOffice chuyển tệp “{name}” quá {timeout_s:g} giây nên đã dừng: tệp có thể bị hỏng.",
                hint="Hãy mở tệp bằng Word/LibreOffice và lưu lại dưới dạng .docx, hoặc tăng NGHIQUYET_OFFICE_TIMEOUT_S.",
            ) from exc
        finally:
            _kill_leftovers(child.pid)
        output = work / "out" / "input.docx"
        if not output.is_file():
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"mã {child.returncode}"]
            raise IngestError(
                f"LibreOffice không chuyển được tệp “{name}” sang .docx ({tail[0][:160]}): tệp bị hỏng "
                "hoặc không đúng định dạng.",
                hint="Hãy mở tệp bằng Word/LibreOffice và lưu lại dưới dạng .docx, hoặc xin bản gốc.",
            )
        yield output


# What each format starts with. Word also saves "Web page" and RTF files under .doc, so those are
# accepted there; anything else LibreOffice would import as plain text and index its bytes.
_SIGNATURES = {
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf", b"<", b"\xef\xbb\xbf<"),
    ".rtf": (b"{\\rtf",),
    ".odt": (b"PK\x03\x04",),
}


def _check_format(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(16).lstrip()
    except OSError as exc:
        raise IngestError(f"Không đọc được tệp “{path.name}”: {exc.strerror}.", hint="Hãy kiểm tra quyền truy cập tệp.") from exc
    if not head.startswith(_SIGNATURES.get(path.suffix.lower(), (b"",))):
        raise IngestError(
            f"Tệp “{path.name}” không phải tệp {path.suffix.lower()} hợp lệ (nội dung không đúng định dạng).",
            hint="Hãy mở tệp bằng Word/LibreOffice và lưu lại dưới dạng .docx, hoặc xin bản gốc.",
        )


def _kill_leftovers(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
