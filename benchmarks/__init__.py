"""Scripts that print numbers (docs/benchmarks.md); run each as `python -m benchmarks.bench_x`."""
