"""Benchmarks: a dedicated database filled with demo data, and timed page loads through gunicorn.

Run with ``make bench`` (``uv run python -m bench``); results go to ``bench/results.json``.
"""
