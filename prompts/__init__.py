"""Prompt templates as files; this module only loads and renders them.

Templates use `$name` placeholders (`string.Template`): values are inserted as they are, so braces or
dollar signs inside document text cannot be mistaken for placeholders.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

PROMPTS_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=32)
def load(name: str) -> Template:
    """The template `prompts/<name>.txt`."""
    path = PROMPTS_DIR / f"{name}.txt"
    return Template(path.read_text(encoding="utf-8"))


def render(name: str, **values: str) -> str:
    """Template `name` with every placeholder filled (a missing value is an error, not a blank)."""
    return load(name).substitute(**values)
