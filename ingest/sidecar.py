"""Optional sidecar files that correct or complete a document's detected metadata.

Next to `bao-cao.pdf`, a file `bao-cao.meta.json` (or `bao-cao.pdf.meta.json`; also `.meta.yaml`,
`.meta.yml`, `.meta.toml`) may set any DocumentMeta field except the document's identity:

    {"province": "Trà Vinh", "years": [2020, 2021], "number": "15-NQ/TU", "issue_date": "2020-12-18"}

A value of null removes a wrong detection. Years may be a list, a single year or "2020-2025".
A malformed sidecar is an error (IngestError) rather than being silently ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ingest.models import DocumentMeta
from ingest.provinces import canonical_province
from core.errors import IngestError

SIDECAR_SUFFIXES: tuple[str, ...] = (".meta.json", ".meta.yaml", ".meta.yml", ".meta.toml")
_TEXT_FIELDS = ("title", "doc_type", "number", "signer")
_YEAR_FIELDS = ("years", "plan_years", "report_years")
FIELDS: tuple[str, ...] = (*_TEXT_FIELDS, "province", "issue_date", *_YEAR_FIELDS)


def is_sidecar(path: Path) -> bool:
    """True for a metadata sidecar file (never ingested as a document)."""
    return path.name.lower().endswith(SIDECAR_SUFFIXES)


def find_sidecar(document: Path) -> Path | None:
    """The sidecar of `document`, if one exists ("x.meta.json" or "x.pdf.meta.json", …)."""
    for base in (document.with_suffix(""), document):
        for suffix in SIDECAR_SUFFIXES:
            candidate = base.parent / f"{base.name}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _error(path: Path, problem: str) -> IngestError:
    return IngestError(
        f"Tệp siêu dữ liệu “{path.name}” không hợp lệ: {problem}.",
        hint="Hãy sửa tệp (JSON, YAML hoặc TOML) hoặc xoá nó để dùng siêu dữ liệu tự nhận diện.",
    )


def _parse(path: Path) -> Any:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(path, "không phải văn bản UTF-8") from exc
    except OSError as exc:
        raise IngestError(f"Không đọc được tệp siêu dữ liệu “{path.name}”: {exc.strerror or exc}.") from exc
    name = path.name.lower()
    try:
        if name.endswith(".json"):
            return json.loads(raw)
        if name.endswith(".toml"):
            return tomllib.loads(raw)
        return yaml.safe_load(raw)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise _error(path, f"lỗi cú pháp ({exc})") from exc


def load_sidecar(path: Path) -> dict[str, Any]:
    """The overrides a sidecar sets, validated and normalised (years → tuple[int, ...], province canonical)."""
    data = _parse(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _error(path, "nội dung phải là một bảng khoá → giá trị")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise _error(path, f"trường không được hỗ trợ: {', '.join(map(str, unknown))} (chỉ dùng: {', '.join(FIELDS)})")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TEXT_FIELDS:
            out[key] = _text(path, key, value)
        elif key == "province":
            text = _text(path, key, value)
            # A province name outside the 63 (e.g. after a merger) is kept as written.
            out[key] = (canonical_province(text) or text) if text else None
        elif key == "issue_date":
            out[key] = _date(path, value)
        else:
            out[key] = _years(path, key, value)
    return out


def apply_sidecar(meta: DocumentMeta, overrides: dict[str, Any]) -> DocumentMeta:
    """`meta` with the sidecar's fields; `years` follows plan/report years unless set itself."""
    if not overrides:
        return meta
    fields = dict(overrides)
    if "years" not in fields and ({"plan_years", "report_years"} & set(fields)):
        plan = fields.get("plan_years", meta.plan_years)
        report = fields.get("report_years", meta.report_years)
        fields["years"] = tuple(sorted(set(plan) | set(report)))
    return replace(meta, **fields)


def _text(path: Path, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key == "number":
        return str(value)
    if not isinstance(value, str):
        raise _error(path, f"“{key}” phải là chuỗi ký tự")
    return " ".join(value.split()) or None


def _date(path: Path, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        parts: tuple[str, str, str] | None = None
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            parts = (m.group(1), m.group(2), m.group(3))
        elif m := re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text):  # Vietnamese order: day first
            parts = (m.group(3), m.group(2), m.group(1))
        if parts is not None:
            try:
                return dt.date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
            except ValueError:
                pass
    raise _error(path, f"“issue_date” phải là ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY), không phải {value!r}")


def _years(path: Path, key: str, value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    years: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            years.add(_year(path, key, item))
        elif isinstance(item, str) and (m := re.fullmatch(r"\s*(\d{4})\s*(?:[-–—]\s*(\d{4})\s*)?", item)):
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            if last < first or last - first > 50:
                raise _error(path, f"khoảng năm “{item}” trong “{key}” không hợp lệ")
            years.update(_year(path, key, y) for y in range(first, last + 1))
        else:
            raise _error(path, f"“{key}” phải là năm, danh sách năm hoặc khoảng “2020-2025”, không phải {item!r}")
    return tuple(sorted(years))


def _year(path: Path, key: str, year: int) -> int:
    if not 1945 <= year <= 2100:
        raise _error(path, f"năm {year} trong “{key}” nằm ngoài khoảng 1945–2100")
    return year
