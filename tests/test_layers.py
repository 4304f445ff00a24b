"""The import rules of docs/architecture.md: layers point one way, no cycles, a pure core.

Every `import` counts, including those inside functions (the CLI imports its tools
lazily, but a lazy import still makes the module depend on its target).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Lowest first. A module may import from its own layer and those below it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("atm", "atm.types", "atm.colors", "atm.errors", "atm.geometry", "atm.redact",
                    "atm.clock", "atm.frame", "atm.config", "atm.workspace", "atm.corpus",
                    "atm.schedule", "atm.secrets", "atm.config_errors", "atm.calendars",
                    "atm.journal.ids", "atm.journal.choices", "atm.jsonl",
                    "atm.inputs", "atm.fileio")),
    ("vision", ("atm.vision",)),
    ("core", ("atm.fsm", "atm.detect", "atm.monitor", "atm.levels", "atm.canary",
              "atm.health", "atm.messages", "atm.slot", "atm.history")),
    ("adapters", ("atm.sim", "atm.capture", "atm.notify", "atm.audit", "atm.deadman",
                  "atm.autostart")),
    ("services", ("atm.calibration", "atm.labeling", "atm.evaluate", "atm.trial", "atm.stages",
                  "atm.sink", "atm.runner", "atm.doctor", "atm.journal", "atm.report",
                  "atm.write_faults")),
    ("tools", ("atm.tools", "atm.ui")),
    ("cli", ("atm.cli", "atm.__main__")),
]  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.with_suffix("").relative_to(SRC).parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in (SRC / "atm").rglob("*.py")}


def imports(path: Path, known: set[str]) -> Iterator[str]:
    """The atm modules `path` imports (a `from m import name` of a submodule counts as it)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module in known:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            found = [s for s in subs if s in known]
            yield from found or [node.module]


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    assert rank >= 0, f"{module} is in no layer: add it to LAYERS and docs/architecture.md"
    return rank


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: set(imports(p, known)) - {m} for m, p in mods.items()}


def test_every_module_has_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_no_module_imports_from_a_higher_layer() -> None:
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {d} ({LAYERS[layer_of(d)][0]})"
        for m, deps in graph().items()
        for d in deps
        if layer_of(d) > layer_of(m)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


@pytest.mark.parametrize(
    ("modules", "banned"),
    [
        (["atm.fsm"], {"tkinter", "mss", "httpx", "pywinctl", "cv2", "PIL"}),
        (
            ["atm.fsm", "atm.detect", "atm.monitor",
             *sorted(m for m in modules() if m.startswith("atm.vision."))],
            {"tkinter", "mss", "httpx", "pywinctl", "atm.capture", "atm.notify", "atm.ui",
             "atm.tools", "atm.stages", "atm.runner"},
        ),
    ],
)  # fmt: skip
def test_pure_core_imports_no_io_library(modules: list[str], banned: set[str]) -> None:
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}];"
        f"print(sorted(set({sorted(banned)!r}) & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
