"""
``make benchmark``: the plugin measured side by side with a baseline, in one run.

Each comparison runs in its own process (``python -m benchmarks.<name>``) and
prints a JSON result; :mod:`benchmarks.run` collects them and writes the report
(``report.txt``, ``report.json``, one PNG chart per comparison). Nothing here
asserts a duration: the report states the targets and whether they hold.
"""
