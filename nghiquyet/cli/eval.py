"""`nghiquyet eval`: run the regression question set through `ask` and gate on its thresholds."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from nghiquyet.cli.common import console, err_console, friendly_errors, make_settings, store_option
from core.errors import EvaluationError


@click.command("eval")
@click.argument("questions", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Ghi báo cáo JSON vào tệp này.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="So sánh với một báo cáo JSON trước đó (câu mới hỏng, mới đạt, chênh lệch chỉ số).",
)
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="Ghi báo cáo HTML (một tệp).")
@click.option(
    "--ingest",
    "ingest_dirs",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Nạp thư mục/tệp này vào chỉ mục trước khi đánh giá (lặp lại được; tiện cho CI). Bộ câu hỏi "
    "ngoài (questions_from) tự nạp các thư mục documents của nó.",
)
@click.option("--check", is_flag=True, help="Chỉ kiểm tra tệp câu hỏi và trích dẫn với tài liệu gốc, không chạy mô hình.")
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Thư mục tài liệu gốc cho --check (mặc định data/corpus).",
)
@click.option("--failures", "failure_limit", type=int, default=40, show_default=True, help="Số câu không đạt in ra màn hình.")
@store_option
@friendly_errors
def eval_command(
    questions: Path | None,
    out_path: Path | None,
    baseline_path: Path | None,
    html_path: Path | None,
    ingest_dirs: tuple[Path, ...],
    check: bool,
    corpus_dir: Path | None,
    failure_limit: int,
    store_dir: Path | None,
) -> None:
    """Đánh giá hồi quy: hỏi mọi câu trong bộ câu hỏi, in chỉ số, thoát mã 1 nếu dưới ngưỡng."""
    from nghiquyet.evaluation.questions import check_evidence, load_questions

    settings = make_settings(store_dir)
    question_set = load_questions(questions or settings.questions_file)
    # An external set's quotes are checked against its own documents by its own scorer, not here.
    problems = [] if question_set.external else check_evidence(question_set, corpus_dir or settings.corpus_dir)
    if check:
        _print_check(len(question_set), problems)
        raise SystemExit(1 if problems else 0)
    for problem in problems:
        err_console.print(Text.assemble(("Cảnh báo bộ câu hỏi: ", "yellow"), problem), soft_wrap=True)

    from nghiquyet.engine import Engine
    from nghiquyet.evaluation.baseline import diff_reports
    from nghiquyet.evaluation.html import render_html
    from nghiquyet.evaluation.report import render
    from nghiquyet.evaluation.runner import load_report, run_eval

    baseline = load_report(baseline_path) if baseline_path else None  # fail before the slow part
    engine = Engine(settings)
    to_ingest = [*ingest_dirs, *question_set.documents]
    missing = [d for d in question_set.documents if not d.exists()]
    if missing:
        raise EvaluationError(
            f"Không tìm thấy thư mục tài liệu của bộ câu hỏi: {', '.join(map(str, missing))}.",
            "Bộ câu hỏi này đọc tài liệu nằm ngoài kho mã (thư mục ../shared cạnh kho mã); hãy đặt nó vào đó.",
        )
    if to_ingest:
        console.print(f"Đang nạp {', '.join(map(str, to_ingest))} …")
        ingest_report = engine.ingest(to_ingest)
        console.print(ingest_report.summary())
    documents = engine.documents()
    if not documents:
        raise EvaluationError(
            f"Chỉ mục {settings.describe_store()} chưa có tài liệu nào.",
            "Chạy `nghiquyet ingest data/corpus` trước, hoặc thêm `--ingest data/corpus`.",
        )

    run_info = {
        "documents": len(documents),
        "embedding_model": settings.embedding_model,
        "top_k": settings.top_k,
        "fusion": settings.fusion,
        "llm_backend": settings.llm_backend,
    }
    with Progress(
        TextColumn("[bold]Đánh giá"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} không đạt · {task.fields[current]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("eval", total=len(question_set), failed=0, current="nạp mô hình…")
        failed = 0

        def on_result(done: int, total: int, result: object) -> None:
            nonlocal failed
            failed += 0 if getattr(result, "passed", True) else 1
            bar.update(task, completed=done, failed=failed, current=getattr(result, "id", ""))

        report = run_eval(engine, question_set, progress=on_result, run_info=run_info)

    diff = diff_reports(baseline, report) if baseline is not None else None
    # In a CI log (not a terminal) rich would wrap at 80 columns; the failure list reads better wide.
    out = console if console.is_terminal else Console(highlight=False, width=140)
    render(report, out, diff=diff, failure_limit=failure_limit)
    if out_path:
        report.save(out_path)
        console.print(f"Đã ghi báo cáo JSON: {out_path}")
    if html_path:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(report, diff=diff), encoding="utf-8")
        console.print(f"Đã ghi báo cáo HTML: {html_path}")
    if not report.ok:
        raise SystemExit(1)


def _print_check(count: int, problems: list[str]) -> None:
    if not problems:
        console.print(f"✓ {count} câu hỏi hợp lệ; mọi trích dẫn và số liệu mong đợi đều có trong tài liệu gốc.")
        return
    err_console.print(f"✗ {len(problems)} vấn đề trong bộ câu hỏi:", style="bold red")
    for problem in problems:
        err_console.print("  • " + problem, markup=False, highlight=False, soft_wrap=True)


COMMANDS: list[click.Command] = [eval_command]
