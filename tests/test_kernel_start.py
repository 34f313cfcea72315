"""The kernel-start retry (tests/kernel_start.py) retries only a kernel that died while starting."""

from __future__ import annotations

import pytest

from tests.kernel_start import DIED_STARTING, start_with_one_retry


def starter(*outcomes):
    calls = []

    def start(*args, **kwargs):
        calls.append((args, kwargs))
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return start, calls


def test_a_kernel_that_died_starting_is_started_once_more():
    start, calls = starter(RuntimeError(DIED_STARTING), ("km", "kc"))
    assert start_with_one_retry(start)(kernel_name="python3") == ("km", "kc")
    assert len(calls) == 2 and calls[1][1] == {"kernel_name": "python3"}


def test_dying_twice_or_failing_otherwise_is_not_hidden():
    start, calls = starter(RuntimeError(DIED_STARTING), RuntimeError(DIED_STARTING))
    with pytest.raises(RuntimeError, match="died before replying"):
        start_with_one_retry(start)()
    start, calls = starter(RuntimeError("Kernel info reqest timed out"))
    with pytest.raises(RuntimeError, match="timed out"):
        start_with_one_retry(start)()
    assert len(calls) == 1


def test_the_test_run_has_it():
    import nbval.kernel

    assert hasattr(nbval.kernel.start_new_kernel, "__wrapped__"), "addopts in pyproject.toml loads tests.kernel_start"
