"""Benchmarks and the load generator they share (run by ``make bench``, never by ``make test``)."""
