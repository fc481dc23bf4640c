"""runner/run_key.py: equal configurations resume the same file; secrets never enter the key."""

from __future__ import annotations

from emer_bench.runner.run_key import public_args, run_key, slug


def test_same_configuration_same_key_in_any_key_order() -> None:
    a = run_key("sha", "openai", {"model": "m", "concurrency": 4}, {"temperature": 0.0, "max_new_tokens": 8}, 1)
    b = run_key("sha", "openai", {"concurrency": 4, "model": "m"}, {"max_new_tokens": 8, "temperature": 0.0}, 1)
    assert a == b and len(a) == 12


def test_every_part_of_the_configuration_changes_the_key() -> None:
    base = ("sha", "openai", {"model": "m"}, {"temperature": 0.0}, 1)
    variants = [("sha2", *base[1:]), (base[0], "hf_text", *base[2:]), (*base[:2], {"model": "n"}, *base[3:]),
                (*base[:3], {"temperature": 0.7}, base[4]), (*base[:4], 2)]
    keys = {run_key(*v) for v in variants}
    assert run_key(*base) not in keys and len(keys) == len(variants)


def test_secrets_are_left_out_of_the_key_and_of_what_is_written() -> None:
    args = {"model": "m", "api_key": "sk-1", "hf_token": "t", "db_password": "p", "client_secret": "s"}
    assert public_args(args) == {"model": "m"}
    assert run_key("sha", "openai", args, {}, 1) == run_key("sha", "openai", {"model": "m", "api_key": "other"}, {}, 1)


def test_slug_is_file_name_safe() -> None:
    assert slug("Qwen/Qwen2.5-VL-7B-Instruct") == "Qwen__Qwen2.5-VL-7B-Instruct"
    assert slug("/models/x y") == "models__x__y"
    assert slug("///") == "model"
