"""Maps the top-level `model_adapters/` and `tasks/` folders (design card) into the installed
`emer_bench` package, so built-in adapters and tasks work from a normal wheel install too.
Everything else is declared in pyproject.toml."""

from setuptools import find_namespace_packages, setup

ROOTS = {"emer_bench": "emer_bench", "emer_bench.model_adapters": "model_adapters",
         "emer_bench.builtin_tasks": "tasks"}


def _packages() -> list[str]:
    found: list[str] = []
    for pkg, folder in ROOTS.items():
        found.append(pkg)
        found += [f"{pkg}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__*"])]
    return found


setup(packages=_packages(), package_dir=ROOTS)
