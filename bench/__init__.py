"""Benchmarks and the synthetic data they run on; nothing here is part of the service."""
