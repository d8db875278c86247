"""Benchmarks of the essay portal at 12, 1,000 and 10,000 essays (not part of the tests).

Run ``.venv/bin/python -m bench`` (see :mod:`bench.run` and ``BENCHMARKS.md``).
"""
