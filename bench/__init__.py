"""Benchmarks: run by hand (see bench/README.md), never timed in the test suite."""
