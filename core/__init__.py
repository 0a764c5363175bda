"""The foundation every layer may import: genre knowledge (and, in time, settings, errors, text keys)."""
