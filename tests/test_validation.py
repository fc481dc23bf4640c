"""validation.py: pydantic errors become one line naming every bad key."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, model_validator

from emer_bench.errors import ConfigError, DataError
from emer_bench.validation import validate


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    depth: int


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Literal["fast", "slow"]
    inner: _Inner | None = None
    rate: float = 1.0


def test_valid_data_gives_the_model() -> None:
    args = validate(_Args, {"mode": "fast", "inner": {"depth": 2}}, "model args")
    assert args.mode == "fast" and args.inner is not None and args.inner.depth == 2


def test_every_problem_in_one_line() -> None:
    with pytest.raises(ConfigError) as err:
        validate(_Args, {"mode": "medium", "rat": 2, "inner": {"depth": "deep"}}, "--model-args")
    message = str(err.value)
    assert "\n" not in message and message.startswith("--model-args: ")
    assert "unknown key 'rat'" in message
    assert "key 'mode'" in message and "'medium'" in message
    assert "key 'inner.depth'" in message and "'deep'" in message


def test_missing_keys_and_the_error_class() -> None:
    with pytest.raises(DataError, match="record: missing key 'mode'"):
        validate(_Args, {}, "record", error=DataError)


def test_a_mapping_value_is_not_dumped_into_the_message() -> None:
    with pytest.raises(ConfigError, match=r"key 'rate'.*\(got a mapping\)"):
        validate(_Args, {"mode": "fast", "rate": {"secret": "sk-very-long-value"}}, "args")


class _Pair(BaseModel):
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self) -> "_Pair":
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


def test_a_whole_object_check_is_its_message_alone() -> None:
    # it read "key '<top>': Value error, low 3 is above high 1 (got a mapping)"
    with pytest.raises(ConfigError, match=r"^range: low 3 is above high 1$"):
        validate(_Pair, {"low": 3, "high": 1}, "range")
