"""Turning pydantic validation errors into the one-line messages users get."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from emer_bench.errors import ConfigError, EmerBenchError

M = TypeVar("M", bound=BaseModel)


def describe_problems(exc: ValidationError) -> str:
    """`unknown key 'a'; 'b.c': <message> (got <value>)`, one clause per problem."""
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if not key:  # a check of the whole object (a model validator): its message says what is wrong
            problems.append(str(err["msg"]).removeprefix("Value error, "))
        elif err["type"] == "extra_forbidden":
            problems.append(f"unknown key '{key}'")
        elif err["type"] == "missing":
            problems.append(f"missing key '{key}'")
        else:
            got = err.get("input")
            shown = "a mapping" if isinstance(got, dict) else repr(got)[:80]
            problems.append(f"key '{key}': {err['msg']} (got {shown})")
    return "; ".join(problems)


def validate(model: type[M], data: dict[str, Any], what: str, error: type[EmerBenchError] = ConfigError) -> M:
    """`model(**data)`, or `error("<what>: <problems>")`."""
    try:
        return model(**data)
    except ValidationError as exc:
        raise error(f"{what}: {describe_problems(exc)}") from None
