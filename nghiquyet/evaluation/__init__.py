"""Regression question set and the `eval` command's metrics and reports."""
