"""Frozen copies of the policy functions before their fast paths (language.py, secrets.py,
secret_patterns.py, reading.py as of main a9e0d0a): the test oracle for
tests/policy/test_fast_paths_equal.py. Do not edit them to follow the live modules; they
are the reference the live ones must agree with on every input."""
