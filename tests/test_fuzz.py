"""Fuzz every parser of outside input (targets in tests/fuzzing.py): a few hundred examples
each, derandomized so CI sees the same inputs every run; bench/fuzz.py runs 10,000 each with
fresh randomness. Inputs that ever crashed are kept in tests/test_fuzz_regressions.py."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzzing import EXAMPLE_SECONDS, TARGETS, time_limit

EXAMPLES = {"spec": 200, "mail": 300, "diff": 300, "header": 400, "decode": 400, "encode": 300}


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_fuzz_target(target, tmp_path):
    @settings(
        max_examples=EXAMPLES[target.name],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(target.strategy)
    def run(example):
        with time_limit(EXAMPLE_SECONDS):
            target.check(example, tmp_path)

    run()
