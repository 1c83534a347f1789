"""The reliability tests' figures, printed at the end of every run (CI's log included)."""

import pytest

FIGURES = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.write_sep("-", "randomised races")
        for line in lines:
            terminalreporter.write_line(line)
