"""Performance harness: ``python -m benchmarks`` prints a table and writes RESULTS.md.

Not timed tests: the figures depend on the machine, so they are measured and reported
(with the CPU, the Python version and the load on the machine), never asserted in CI.
"""
