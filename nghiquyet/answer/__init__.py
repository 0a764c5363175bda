"""The answer layer: exact, cited Vietnamese answers (extractive by default, an LLM optionally)."""
