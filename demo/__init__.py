"""Sample material made by code, for the demo, the tests and the benchmarks."""
