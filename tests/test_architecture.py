"""The import contract: imports point one way, down the layers, so each layer can be read and changed alone.

    app.py → pages/ → nghiquyet/ → retrieval/ → vectorstore/ → ingest/ → core/
    prompts/ (templates) imports only core/ and is used by the layers above retrieval/.

Every `import` statement counts, including those inside functions and under `TYPE_CHECKING`: a lazy
import is still a dependency. Two third-party libraries are fenced in as well: Streamlit only in the
app shell, chromadb only in the vector store.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

# Highest first: a package may import the packages listed after it, never those before it.
LAYERS: tuple[str, ...] = ("app", "pages", "nghiquyet", "retrieval", "vectorstore", "ingest", "core")
# Packages outside the chain: who may import them, and what they may import.
SIDE_PACKAGES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "prompts": (frozenset({"app", "pages", "nghiquyet"}), frozenset({"core"})),
}
FENCED_LIBRARIES: dict[str, frozenset[str]] = {
    "streamlit": frozenset({"app", "pages"}),
    "chromadb": frozenset({"vectorstore"}),
}
OWN_PACKAGES = frozenset(LAYERS) | frozenset(SIDE_PACKAGES)


def imported_names(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, top-level name) of every import in `source`; relative imports stay inside `package`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, package if node.level else (node.module or "").split(".")[0]


def allowed(importer: str, imported: str) -> bool:
    if importer == imported:
        return True
    if imported in FENCED_LIBRARIES:
        return importer in FENCED_LIBRARIES[imported]
    if imported not in OWN_PACKAGES:
        return True
    if importer in SIDE_PACKAGES:
        return imported in SIDE_PACKAGES[importer][1]
    if imported in SIDE_PACKAGES:
        return importer in SIDE_PACKAGES[imported][0]
    return LAYERS.index(importer) < LAYERS.index(imported)


def violations(source: str, package: str, label: str) -> list[str]:
    return [
        f"{label}:{line}: {package} imports {name}"
        for line, name in imported_names(source, package)
        if not allowed(package, name)
    ]


def library_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(package, file) for every module of the product (tests and benchmarks are not part of it)."""
    for package in OWN_PACKAGES:
        single = root / f"{package}.py"
        if single.is_file():
            yield package, single
        if (root / package).is_dir():
            for path in sorted((root / package).rglob("*.py")):
                yield package, path


def test_imports_point_down_the_layers() -> None:
    files = list(library_files(REPO))
    assert {package for package, _ in files} == OWN_PACKAGES  # every package was found and read
    found = [
        problem
        for package, path in files
        for problem in violations(path.read_text(encoding="utf-8"), package, str(path.relative_to(REPO)))
    ]
    assert not found, "Imports that run against the layers:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("ingest", "from nghiquyet.config import Settings\n"),
        ("vectorstore", "def f():\n    from retrieval.lexical import LexicalIndex\n"),
        ("retrieval", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import nghiquyet.answer\n"),
        ("core", "import ingest.models\n"),
        ("prompts", "from retrieval import fusion\n"),
        ("ingest", "import prompts\n"),
        ("nghiquyet", "import streamlit as st\n"),
        ("retrieval", "import chromadb\n"),
        ("pages", "import app\n"),
    ],
)
def test_an_upward_import_is_caught(package: str, source: str) -> None:
    assert violations(source, package, "example.py")


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("app", "import streamlit as st\nfrom pages.common import settings\nfrom nghiquyet.engine import Engine\n"),
        ("nghiquyet", "from prompts import render\nfrom retrieval.hybrid import HybridRetriever\n"),
        ("retrieval", "from core.vietnamese import nfc\nfrom . import fusion\nimport numpy\n"),
        ("vectorstore", "import chromadb\nfrom ingest.models import Chunk\nfrom core.locks import exclusive\n"),
        ("prompts", "from core.errors import NghiquyetError\nfrom pathlib import Path\n"),
    ],
)
def test_a_downward_import_is_allowed(package: str, source: str) -> None:
    assert violations(source, package, "example.py") == []
