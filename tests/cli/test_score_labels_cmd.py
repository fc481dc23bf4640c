"""`emer-bench score-labels`: JSON shape, equality with the oracle, input errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support_modules import load_support

from emer_bench.cli.main import main
from emer_bench.resources import emotion_wheel

EW_NAMES = ["form", "synonym"] + [f"wheel{w}_l{lv}" for w in range(1, 6) for lv in (1, 2)] + ["ew_l1", "ew_l2"]




ew_oracle = load_support("metrics", "ew_oracle")


@pytest.fixture(autouse=True)
def no_ambient_resources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(emotion_wheel.ENV_CACHE, str(tmp_path / "empty-cache"))
    monkeypatch.delenv(emotion_wheel.ENV_RESOURCES, raising=False)


@pytest.fixture()
def references(emer_data_dir: Path) -> Path:
    return emer_data_dir / "ovmerd_openset_labels.csv"


def _made_up_predictions(references: Path, target: Path) -> dict[str, str]:
    """Our own answers: some right, some wrong, one blank, one clip left out."""
    with references.open(newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    answers = ["[happy, relaxed]", "['worried', 'anxious']", "angry", "", "[sad, lonely, calm]", "None"]
    predictions = {name: answers[i % len(answers)] for i, name in enumerate(names[1:])}  # names[0] missing
    with target.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "openset"])
        writer.writerows(predictions.items())
    return predictions


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_and_values_equal_the_oracle(capsys, tmp_path: Path, references: Path, wheel_dir: Path) -> None:
    predictions = _made_up_predictions(references, tmp_path / "pred.csv")
    code, out, _ = _run(capsys, "score-labels", "--references", str(references), "--predictions",
                        str(tmp_path / "pred.csv"), "--resources", str(wheel_dir), "--json")
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["n_references", "n_missing_predictions", "n_extra_predictions", "n_scored", "metrics",
                            "m_avg"]
    assert result["n_references"] == 166 and 0 < result["n_scored"] <= 166
    assert result["n_missing_predictions"] == 1 and result["n_extra_predictions"] == 0
    assert list(result["metrics"]) == EW_NAMES
    assert all(list(v) == ["precision", "recall", "fscore"] for v in result["metrics"].values())
    with references.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    oracle = ew_oracle.oracle_for(wheel_dir).all_metrics(
        [r["openset"] for r in rows], [predictions.get(r["name"]) for r in rows])
    for name in EW_NAMES:
        for part in ("precision", "recall", "fscore"):
            assert result["metrics"][name][part] == pytest.approx(oracle[f"{name}_{part}"], abs=1e-9)
    assert result["m_avg"] == pytest.approx(oracle["m_avg"], abs=1e-9)


def test_jsonl_predictions_give_the_same_numbers(capsys, tmp_path: Path, references: Path, wheel_dir: Path) -> None:
    predictions = _made_up_predictions(references, tmp_path / "pred.csv")
    with (tmp_path / "pred.jsonl").open("w") as fh:
        for name, cell in predictions.items():
            value = cell if cell in ("", "None") else [x.strip(" '[]") for x in cell.split(",")]
            fh.write(json.dumps({"name": name, "openset": value}) + "\n")
    outs = []
    for pred in ("pred.csv", "pred.jsonl"):
        code, out, _ = _run(capsys, "score-labels", "--references", str(references), "--predictions",
                            str(tmp_path / pred), "--resources", str(wheel_dir), "--json")
        assert code == 0
        outs.append(json.loads(out))
    # "None" is NA for pandas (CSV) but a label in JSON; it maps to nothing either way
    assert outs[0] == outs[1]


def test_hit_rate_mode(capsys, tmp_path: Path, wheel_dir: Path) -> None:
    ref, pred = tmp_path / "ref.csv", tmp_path / "pred.jsonl"
    ref.write_text("name,label\na,happy\nb,sad\nc,neutral\nd,angry\n")
    pred.write_text('{"name": "a", "openset": ["joyful", "sad"]}\n{"name": "b", "openset": "[sad]"}\n'
                    '{"name": "c", "openset": []}\n')
    code, out, _ = _run(capsys, "score-labels", "--references", str(ref), "--predictions", str(pred),
                        "--resources", str(wheel_dir), "--json")
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["n_references", "n_missing_predictions", "n_extra_predictions", "n_scored", "hit_rate",
                            "m_score"]
    assert result["n_missing_predictions"] == 1
    hit, m_score = ew_oracle.oracle_for(wheel_dir).hit_rate(
        ["happy", "sad", "neutral", "angry"], [str(["joyful", "sad"]), "[sad]", "[]", None])
    assert result["hit_rate"] == pytest.approx(hit, abs=1e-9) and result["m_score"] == pytest.approx(m_score, abs=1e-9)
    assert result["n_references"] == 4 and result["n_scored"] == 3  # neutral is on no wheel


def test_nothing_scored_prints_null(capsys, tmp_path: Path, wheel_dir: Path) -> None:
    ref = tmp_path / "ref.csv"
    ref.write_text("name,openset\na,[]\nb,\n")
    code, out, _ = _run(capsys, "score-labels", "--references", str(ref), "--predictions", str(ref),
                        "--resources", str(wheel_dir), "--json")
    result = json.loads(out)
    assert code == 0 and result["n_scored"] == 0
    assert result["metrics"]["ew_l1"]["fscore"] is None and result["m_avg"] is None


def test_table_output(capsys, tmp_path: Path, references: Path, wheel_dir: Path) -> None:
    _made_up_predictions(references, tmp_path / "pred.csv")
    code, out, _ = _run(capsys, "score-labels", "--references", str(references), "--predictions",
                        str(tmp_path / "pred.csv"), "--resources", str(wheel_dir))
    assert code == 0
    for text in ("ew_l1", "ew_l2", "m_avg", "wheel5_l2", "1 without a prediction"):
        assert text in out


@pytest.mark.parametrize("ref_text, pred_text, message", [
    ("label_x,openset\na,[happy]\n", "name,openset\na,[happy]\n", "ref.csv: missing an id column (name, names, clip_id"),
    ("name,emotion\na,[happy]\n", "name,openset\na,[happy]\n", "ref.csv: needs a column 'openset' or 'label'"),
    ("name,openset\na,[happy]\na,[sad]\n", "name,openset\na,[happy]\n", "ref.csv: row 3: duplicate name 'a'"),
    ("name,openset\na,[happy]\n", "name,label\na,happy\n", "pred.csv: needs a column 'openset'"),
    ("name,openset\na,[happy]\n,[sad]\n", "name,openset\na,[happy]\n", "ref.csv: row 3: 'name' must be a non-empty"),
    ("name,openset\na,[happy],extra\n", "name,openset\na,[happy]\n", "ref.csv: data line 2 has 3 fields"),
    ("name,openset\na,[happy]\n", "name,openset\na,[happy]\nzz,[sad]\nyy,[]\n",
     "pred.csv: 2 of 3 predictions match no reference clip (first: 'zz', 'yy')"),
    ("name,openset\na,[happy]\nb,[sad]\nc,[]\n", 'name,openset\na,[happy]\nb,"[sad]\nc,[]\n',
     "pred.csv: line 3: unbalanced double quote"),
])
def test_bad_csv_input_is_one_clear_error(capsys, tmp_path: Path, wheel_dir: Path, ref_text: str, pred_text: str,
                                          message: str) -> None:
    (tmp_path / "ref.csv").write_text(ref_text)
    (tmp_path / "pred.csv").write_text(pred_text)
    code, out, err = _run(capsys, "score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions",
                          str(tmp_path / "pred.csv"), "--resources", str(wheel_dir), "--json")
    assert code == 2 and out == ""
    assert message in " ".join(err.split())
    assert "Traceback" not in err


@pytest.mark.parametrize("pred_text, message", [
    ('{"name": "a", "openset": "[x]"}\nnot json\n', "pred.jsonl:2: invalid JSON"),
    ('{"name": "a", "openset": 5}\n', "pred.jsonl: line 1: 'openset' must be a list or a string, got 5"),
    ('{"name": "a", "openset": ["x", 3]}\n', "name 'a', column 'openset': label list"),
    ('{"openset": "[x]"}\n', "pred.jsonl: line 1: missing an id field (name, names, clip_id)"),
    ('{"name": "a", "openset": "[x]"}\n{"openset": "[y]"}\n', "pred.jsonl: line 2: missing field 'name'"),
    ('["a"]\n', "pred.jsonl:1: expected a JSON object"),
])
def test_bad_jsonl_input_is_one_clear_error(capsys, tmp_path: Path, wheel_dir: Path, pred_text: str,
                                            message: str) -> None:
    (tmp_path / "ref.csv").write_text("name,openset\na,[happy]\n")
    (tmp_path / "pred.jsonl").write_text(pred_text)
    code, _, err = _run(capsys, "score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions",
                        str(tmp_path / "pred.jsonl"), "--resources", str(wheel_dir))
    assert code == 2 and message in " ".join(err.split())


def test_missing_files_and_resources(capsys, tmp_path: Path, references: Path) -> None:
    code, _, err = _run(capsys, "score-labels", "--references", str(tmp_path / "nope.csv"), "--predictions",
                        str(references))
    assert code == 2 and "nope.csv: file not found" in " ".join(err.split())
    code, _, err = _run(capsys, "score-labels", "--references", str(references), "--predictions", str(references))
    assert code == 2 and "emer-bench resources fetch" in " ".join(err.split())


@pytest.mark.parametrize("id_column", ["names", "clip_id"])
def test_id_column_aliases(capsys, tmp_path: Path, wheel_dir: Path, id_column: str) -> None:
    (tmp_path / "ref.csv").write_text(f"{id_column},label\na,happy\nb,sad\n")
    (tmp_path / "pred.jsonl").write_text(f'{{"{id_column}": "a", "openset": ["happy"]}}\n')
    code, out, _ = _run(capsys, "score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions",
                        str(tmp_path / "pred.jsonl"), "--resources", str(wheel_dir), "--json")
    result = json.loads(out)
    assert code == 0 and result["n_missing_predictions"] == 1 and result["hit_rate"] == pytest.approx(0.5)


def test_free_text_through_an_extractor(capsys, tmp_path: Path, wheel_dir: Path) -> None:
    (tmp_path / "ref.csv").write_text("name,openset\na,[happy]\nb,[angry]\nc,[sad]\n")
    with (tmp_path / "answers.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([["name", "answer"], ["a", "She smiles and looks happy in a warm room."],
                                  ["b", "The video contains a man who is clearly angry."]])
    code, out, _ = _run(capsys, "score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions",
                        str(tmp_path / "answers.csv"), "--text-column", "answer", "--extractor", "offline",
                        "--resources", str(wheel_dir), "--json")
    result = json.loads(out)
    assert code == 0 and result["extractor"] == "offline" and result["n_failed"] == 0
    assert result["n_missing_predictions"] == 1
    labels_file = tmp_path / "answers.labels.csv"
    assert result["extracted_labels_file"] == str(labels_file)
    with labels_file.open(newline="") as fh:
        rows = {row["name"]: json.loads(row["openset"]) for row in csv.DictReader(fh)}
    assert rows == {"a": ["happy"], "b": ["angry"]}  # no "warm" room, no "content" from "contains"
    # 2 of 3 clips right, the missing one counts as empty: recall 2/3 on the form metric
    assert result["metrics"]["form"]["recall"] == pytest.approx(2 / 3)


def test_text_column_missing_is_one_line(capsys, tmp_path: Path, wheel_dir: Path) -> None:
    (tmp_path / "ref.csv").write_text("name,openset\na,[happy]\n")
    (tmp_path / "answers.csv").write_text("name,reply\na,happy\n")
    code, _, err = _run(capsys, "score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions",
                        str(tmp_path / "answers.csv"), "--text-column", "answer", "--resources", str(wheel_dir))
    assert code == 2 and "answers.csv: needs a column 'answer'" in " ".join(err.split())


def test_parse_extractor_and_mapping_args(capsys, tmp_path: Path, wheel_dir: Path) -> None:
    (tmp_path / "ref.csv").write_text("name,openset\na,[happy]\n")
    (tmp_path / "answers.jsonl").write_text('{"clip_id": "a", "reply": "Output: [happy, sad]"}\n')
    argv = ["score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions", str(tmp_path / "answers.jsonl"),
            "--text-column", "reply", "--extractor", "parse", "--resources", str(wheel_dir), "--json"]
    code, out, _ = _run(capsys, *argv, "--extractor-args", "{}")
    assert code == 0 and json.loads(out)["metrics"]["form"]["recall"] == 1.0
    code, _, err = _run(capsys, *argv, "--extractor-args", "{a: [1")
    assert code == 2 and "--extractor-args: not a YAML/JSON mapping" in err


@pytest.mark.parametrize("extractor_args", [
    "{model: openai, model_args: {api_key: Qw3rtyUiop981 base_url: x}}",  # YAML error beside the key
    "{model: openai, model_args: {api_key: Qw3rtyUiop982, model: [}}",
    "model=openai,model_args={model: q, api_key: Qw3rtyUiop983}",  # YAML inside k=v: refused, echoed
])  # one secret each: a value registered by one case is masked in the next (one process)
def test_extractor_args_errors_never_print_a_secret(capsys, tmp_path: Path, wheel_dir: Path,
                                                     extractor_args: str) -> None:
    (tmp_path / "ref.csv").write_text("name,openset\na,[happy]\n")
    (tmp_path / "answers.csv").write_text("name,answer\na,happy\n")
    code, out, err = _run(capsys, "score-labels", "--references", str(tmp_path / "ref.csv"), "--predictions",
                          str(tmp_path / "answers.csv"), "--text-column", "answer", "--extractor", "llm",
                          "--extractor-args", extractor_args, "--resources", str(wheel_dir))
    assert code == 2 and ("--extractor-args" in err or "extractor 'llm' args" in err)
    assert "Qw3rtyUiop98" not in out + err
    assert len(err.strip().splitlines()) == 1
