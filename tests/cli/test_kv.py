import pytest

from emer_bench.cli.kv import parse_kv
from emer_bench.errors import ConfigError


def test_types_and_nesting():
    assert parse_kv("a=1,b=0.5,c=true,d=text,e=[x,y],f=null,g=/p/a.b", "--model-args") == {
        "a": 1, "b": 0.5, "c": True, "d": "text", "e": ["x", "y"], "f": None, "g": "/p/a.b"}


def test_empty():
    assert parse_kv("", "--gen-kwargs") == {}


def test_bad_pair_names_option():
    with pytest.raises(ConfigError, match="--model-args: 'oops' is not key=value"):
        parse_kv("a=1,oops", "--model-args")


def test_repeated_key_is_an_error():
    with pytest.raises(ConfigError, match="--model-args: key 'num_frames' given twice"):
        parse_kv("num_frames=8,fps=1,num_frames=16", "--model-args")
