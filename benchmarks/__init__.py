"""Benchmark scripts (a package, so that `benchmarks._common` is found here and not in a
third-party wheel that ships a top-level `benchmarks` package, as pysbd does)."""
