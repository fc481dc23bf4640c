"""Shared transformers loading: `--model-args` validation, checkpoint resolution, load kwargs, load errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from pydantic import ValidationError

from emer_bench.errors import ConfigError
from emer_bench.model_adapters.hf_loading import (HFArgs, check_checkpoint_available, guarded_load,
                                                  model_load_kwargs, resolve_checkpoint)


@pytest.mark.parametrize("kwargs, where", [
    ({}, "pretrained"), ({"pretrained": "m", "dtype": "half"}, "dtype"),
    ({"pretrained": "m", "device": "cuda:x"}, "device"), ({"pretrained": "m", "device_map": "everywhere"}, "device_map"),
    ({"pretrained": "m", "device": "cuda", "device_map": "auto"}, "either device or device_map"),
    ({"pretrained": "m", "attn_implementation": "fast"}, "attn_implementation"),
    ({"pretrained": "m", "top_p": 0}, "top_p"), ({"pretrained": "m", "max_new_token": 5}, "max_new_token"),
])
def test_bad_args_are_validation_errors_naming_the_key(kwargs: dict, where: str):
    with pytest.raises(ValidationError, match=where):
        HFArgs(**kwargs)


def test_args_from_command_line_strings():
    args = HFArgs(pretrained="/m", dtype="bfloat16", device_map="auto", max_new_tokens="64", trust_remote_code="false")
    assert args.max_new_tokens == 64 and args.trust_remote_code is False and args.device_map == "auto"
    assert args.explicit_generation_kwargs() == {"max_new_tokens": 64}


def test_resolve_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "ckpt").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_checkpoint("ckpt") == str(tmp_path / "ckpt")  # relative directory → absolute
    assert resolve_checkpoint("Qwen/Qwen2.5-Omni-7B") == "Qwen/Qwen2.5-Omni-7B"  # hub id, left to transformers
    for path in ("./missing", "/models/missing", "a/b/c"):
        with pytest.raises(ConfigError, match="no such checkpoint directory"):
            resolve_checkpoint(path)


def test_load_kwargs():
    kwargs = model_load_kwargs(HFArgs(pretrained="m", dtype="bfloat16", device="cpu", attn_implementation="sdpa",
                                      revision="v1"))
    assert kwargs == {"trust_remote_code": False, "revision": "v1", "dtype": torch.bfloat16, "device_map": "cpu",
                      "attn_implementation": "sdpa"}
    assert model_load_kwargs(HFArgs(pretrained="m", device_map="auto"))["device_map"] == "auto"
    assert model_load_kwargs(HFArgs(pretrained="m"))["dtype"] == "auto"


def test_any_load_failure_is_one_config_error_line():
    def fails() -> None:
        raise RuntimeError("CUDA out of memory.\nTried to allocate 2 GiB")

    with pytest.raises(ConfigError, match=r"^model arg pretrained='m': cannot load the model "
                                          r"\(RuntimeError: CUDA out of memory.\)$"):
        guarded_load("m", "model", fails)


def test_default_device_follows_local_rank_on_gpu_machines(monkeypatch):
    import torch

    from emer_bench.model_adapters.hf_loading import default_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert default_device() == "cuda:1"
    monkeypatch.delenv("LOCAL_RANK")
    assert default_device() == "cuda"


def test_checkpoint_availability_is_checked_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "ckpt").mkdir()
    with pytest.raises(ConfigError, match="no config.json in that directory"):
        check_checkpoint_available(str(tmp_path / "ckpt"))
    (tmp_path / "ckpt" / "config.json").write_text("{}")
    check_checkpoint_available(str(tmp_path / "ckpt"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(ConfigError, match=r"not in the Hugging Face cache; download it first .*HF_HUB_OFFLINE=0"):
        check_checkpoint_available("emer-bench-test/never-downloaded")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # the user says the hub is reachable: left to transformers
    check_checkpoint_available("emer-bench-test/never-downloaded")
