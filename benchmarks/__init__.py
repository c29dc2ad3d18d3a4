"""Benchmarks (not tests): each prints figures and ratios measured in the same run."""
