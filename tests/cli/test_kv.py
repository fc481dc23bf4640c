import pytest

from emer_bench.cli.kv import parse_kv
from emer_bench.cli.main import main
from emer_bench.errors import ConfigError


def test_types_and_nesting():
    assert parse_kv("a=1,b=0.5,c=true,d=text,e=[x,y],f=null,g=/p/a.b", "--model-args") == {
        "a": 1, "b": 0.5, "c": True, "d": "text", "e": ["x", "y"], "f": None, "g": "/p/a.b"}


def test_empty():
    assert parse_kv("", "--gen-kwargs") == {}


def test_bad_pair_names_option():
    with pytest.raises(ConfigError, match="--model-args: 'oops' is not name=value"):
        parse_kv("a=1,oops", "--model-args")


def test_a_malformed_item_never_quotes_what_may_be_a_secret(capsys):
    for text in ("model=m,api_key:Qw3rtyUiop987", "model=m,api_key Qw3rtyUiop987", "model=m,Qw3rtyUiop987",
                 "model=m,=Qw3rtyUiop987"):
        with pytest.raises(ConfigError) as info:
            parse_kv(text, "--model-args")
        assert "Qw3rtyUiop987" not in str(info.value)
        assert "is not name=value" in str(info.value)
    assert main(["run", "--model", "openai", "--model-args", "model=m,api_key:Qw3rtyUiop987",
                 "--tasks", "emer-demo"]) == 2
    err = capsys.readouterr().err
    assert "Qw3rtyUiop987" not in err and "'api_key... (the rest not shown)' is not name=value" in err


def test_repeated_key_is_an_error():
    with pytest.raises(ConfigError, match="--model-args: key 'num_frames' given twice"):
        parse_kv("num_frames=8,fps=1,num_frames=16", "--model-args")
