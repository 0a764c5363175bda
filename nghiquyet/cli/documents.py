"""`nghiquyet documents [--json]` lists what is indexed; `nghiquyet delete SOURCE` removes a document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from nghiquyet.cli.common import console, friendly_errors, make_settings, store_option
from nghiquyet.engine import Engine
from core.errors import NghiquyetError

if TYPE_CHECKING:  # chromadb is slow to import: keep `nghiquyet --help` instant
    from vectorstore.store import StoredDocument


def _as_dict(doc: "StoredDocument") -> dict[str, object]:
    m = doc.meta
    return {
        "source": m.source,
        "title": m.title,
        "province": m.province,
        "years": list(m.years),
        "plan_years": list(m.plan_years),
        "report_years": list(m.report_years),
        "doc_type": m.doc_type,
        "number": m.number,
        "issue_date": m.issue_date,
        "signer": m.signer,
        "content_hash": m.content_hash,
        "chunks": doc.chunk_count,
        "file": doc.origin,
    }


def _table(docs: list["StoredDocument"]) -> Table:
    table = Table(title=f"{len(docs)} tài liệu, {sum(d.chunk_count for d in docs)} đoạn")
    for header in ("Tệp", "Tiêu đề", "Tỉnh", "Năm", "Loại", "Số hiệu", "Ngày", "Số đoạn"):
        table.add_column(header, overflow="fold", justify="right" if header == "Số đoạn" else "left")
    for d in docs:
        m = d.meta
        table.add_row(
            *(Text(v or "—") for v in (m.source, m.title, m.province, ", ".join(map(str, m.years)),
                                       m.doc_type, m.number, m.issue_date)),
            str(d.chunk_count),
        )
    return table


@click.command("documents")
@click.option("--json", "as_json", is_flag=True, help="In danh sách dạng JSON.")
@store_option
@friendly_errors
def documents_command(as_json: bool, store_dir: Path | None) -> None:
    """Liệt kê các tài liệu đã nạp, siêu dữ liệu và số đoạn."""
    docs = Engine(make_settings(store_dir)).documents()
    if as_json:
        click.echo(json.dumps([_as_dict(d) for d in docs], ensure_ascii=False, indent=2))
        return
    if not docs:
        console.print("Kho chưa có tài liệu nào. Nạp bằng: nghiquyet ingest <tệp hoặc thư mục>")
        return
    console.print(_table(docs))


@click.command("delete")
@click.argument("source")
@store_option
@friendly_errors
def delete_command(source: str, store_dir: Path | None) -> None:
    """Xoá một tài liệu (theo tên như cột «Tệp» của `nghiquyet documents`) khỏi chỉ mục."""
    engine = Engine(make_settings(store_dir))
    from nghiquyet.indexing import find_source

    # NFC or NFD, the stored name or the path it was ingested from: the same document
    name = find_source(source, engine.store)
    if name is None:
        known = sorted(d.meta.source for d in engine.documents())
        listed = ", ".join(known) or "(kho trống)"
        raise NghiquyetError(f"Không có tài liệu «{source}» trong kho.", f"Các tài liệu hiện có: {listed}.")
    removed = engine.delete_document(name)
    console.print(Text(f"Đã xoá {name} ({removed} đoạn)."))


COMMANDS: list[click.Command] = [documents_command, delete_command]
