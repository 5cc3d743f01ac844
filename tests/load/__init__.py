"""Concurrency and fault tests under uWSGI with 4 workers (issue 7 part 4)."""
