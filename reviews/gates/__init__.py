"""Review gates: plain functions from a draft's content to findings.

Each gate lives in its own module in this package and registers itself with
``@gate(...)``; ``run_gates`` runs them all. Adding a gate means adding a
module here, nothing else. Gates never touch the database, the request or
settings: ``manage.py check_prfaq`` runs them on files.
"""

import importlib
import pkgutil
from collections.abc import Callable, Iterable

from reviews.gates.base import Draft, Finding, Severity

GateFunction = Callable[[Draft], Iterable[Finding]]
REGISTRY: dict[str, GateFunction] = {}


def gate(gate_id: str) -> Callable[[GateFunction], GateFunction]:
    """Register a gate under ``gate_id``."""

    def register(function: GateFunction) -> GateFunction:
        if gate_id in REGISTRY:
            raise ValueError(f"Two gates are called {gate_id!r}.")
        REGISTRY[gate_id] = function
        return function

    return register


def run_gates(draft: Draft) -> list[Finding]:
    """Every gate's findings, blockers first, then in document order."""
    findings = [finding for function in REGISTRY.values() for finding in function(draft)]
    order = {key: index for index, key in enumerate(draft.outline_keys)}
    return sorted(findings, key=lambda f: (f.severity.rank, order.get(f.section, 99), f.gate))


def _load_gates() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")


_load_gates()

__all__ = ["REGISTRY", "Draft", "Finding", "Severity", "gate", "run_gates"]
