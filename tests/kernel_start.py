"""A pytest plugin (loaded by addopts in pyproject.toml, so every run of the test command has it,
the bench's floor included): a notebook kernel that dies while starting is started once more.

Kernels pick their TCP ports on 127.0.0.1 just before they bind them, so two kernels started at
the same moment by the two test workers can, rarely, pick the same port; the loser dies before it
answers ('Kernel died before replying to kernel_info'), before any cell has run. That says nothing
about the notebook, so nbval's kernel start gets one more try. A kernel that dies again, and any
failure once cells run, fails the test as before.
"""

from __future__ import annotations

DIED_STARTING = "Kernel died before replying to kernel_info"


def start_with_one_retry(start):
    def start_new_kernel(*args, **kwargs):
        try:
            return start(*args, **kwargs)
        except RuntimeError as exc:
            if DIED_STARTING not in str(exc):
                raise
            return start(*args, **kwargs)

    start_new_kernel.__wrapped__ = start
    return start_new_kernel


def pytest_configure(config):
    try:
        import nbval.kernel
    except ImportError:  # nbval not installed: nothing to wrap
        return
    if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
        nbval.kernel.start_new_kernel = start_with_one_retry(nbval.kernel.start_new_kernel)
