"""`nghiquyet` command line: a thin shell over `Engine`. One module per command."""

from __future__ import annotations

import sys

import click

from nghiquyet.cli.common import store_option  # noqa: F401  (re-exported for command modules)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nghiquyet")
def main() -> None:
    """Hỏi đáp có trích dẫn trên nghị quyết, báo cáo của các tỉnh."""


def _register() -> None:
    from nghiquyet.cli import ask, doctor, documents, eval as eval_cmd, ingest, search, serve

    for module in (ingest, search, ask, eval_cmd, serve, doctor, documents):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
