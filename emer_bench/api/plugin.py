"""What adapters, scorers and label extractors share: their validated arguments class.

A plugin class names its arguments class once, as the type parameter of its base
(`class MyScorer(Scorer[MyArgs])`); `bind_args_class` then sets the `Args` class attribute
the harness validates `--model-args` / YAML `args:` against, so `self.args` is typed for the
type checker and validated at run time by the same class. Setting `Args` by hand as well is
allowed when it agrees; a disagreement is a programming error caught at class definition.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel


def _declared_parameter(cls: type, generic_base: type) -> type[BaseModel] | None:
    """The concrete class given to `generic_base[...]` among `cls`'s own bases, if any."""
    for base in getattr(cls, "__orig_bases__", ()):
        origin = get_origin(base)
        if isinstance(origin, type) and issubclass(origin, generic_base):
            (param,) = get_args(base) or (None,)
            if isinstance(param, type) and issubclass(param, BaseModel):
                return param
    return None


def bind_args_class(cls: type[Any], generic_base: type, default: type[BaseModel]) -> None:
    """Set `cls.Args` from `generic_base[ArgsClass]`, or check a hand-set `Args` against it."""
    declared = _declared_parameter(cls, generic_base)
    if declared is None:
        return  # not parametrised here: Args is inherited or set by hand
    own = cls.__dict__.get("Args")
    if own is None:
        cls.Args = declared
    elif own is not declared and own is not default:
        raise TypeError(f"{cls.__qualname__}: Args = {own.__name__} disagrees with the type parameter "
                        f"{declared.__name__} of {generic_base.__name__}[...]")
