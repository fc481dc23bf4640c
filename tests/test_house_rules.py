"""The house rules that a tool can check (docs/architecture.md, "Checks that keep it this way"): short functions,
files of a readable size, no import cycles between modules, and imports inside the mapped
`model_adapters/` folder that a reader can follow without knowing setup.py's mapping."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# name -> folder on disk (setup.py installs model_adapters/ as emer_bench.model_adapters)
PACKAGES = {"emer_bench": ROOT / "emer_bench", "emer_bench.model_adapters": ROOT / "model_adapters"}
MAX_FUNCTION_LINES = 65  # "short functions (< ~60 lines)"
MAX_FILE_LINES = 420  # "files < ~400 lines"


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            name = ".".join((package, *parts[:-1])) if parts[-1] == "__init__" else ".".join((package, *parts))
            found[name] = path
    return found


def test_no_library_function_is_long() -> None:
    long = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, "split these functions: " + "; ".join(long)


def test_no_file_is_long() -> None:
    long = [f"{path.relative_to(ROOT)} ({n} lines)" for path in modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES]
    assert not long, "split these files: " + "; ".join(long)


def _top_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of ours imported at import time (imports inside functions are deliberate: lazy)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        out |= {t for t in targets if t in known and t != name}
    return out


def test_no_import_cycles() -> None:
    found = modules()
    graph = {name: _top_level_imports(name, path, set(found)) for name, path in found.items()}
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycles: list[str] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else nxt)
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    # A package __init__ importing its own submodules is not a cycle worth flagging.
    real = [c for c in cycles if not all(part.startswith(c.split(" -> ")[0]) for part in c.split(" -> "))]
    assert not real, "import cycles: " + "; ".join(real)


def test_model_adapters_import_each_other_relatively() -> None:
    absolute = []
    for path in sorted((ROOT / "model_adapters").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith(
                    "emer_bench.model_adapters"):
                absolute.append(f"{path.name}:{node.lineno}")
    assert not absolute, ("inside model_adapters/, import siblings as `from .module import X` "
                          "(docs/architecture.md, 'Two folders live outside the package'): " + ", ".join(absolute))
