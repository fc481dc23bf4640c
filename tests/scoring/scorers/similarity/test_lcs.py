"""The bit-parallel LCS gives rouge-score's own ROUGE-L, float for float."""

from __future__ import annotations

import random

import pytest
from rouge_score import rouge_scorer

from emer_bench.scoring.scorers.similarity.lcs import lcs_length, rouge_l
from emer_bench.scoring.scorers.similarity.ngram import RougeLScorer
from emer_bench.scoring.scorers.similarity.tokenize import CjkAwareRougeTokenizer


def reference_lcs(a: list[str], b: list[str]) -> int:
    return int(rouge_scorer._lcs_table(a, b)[-1][-1])


def test_lcs_length_equals_the_dynamic_programme_on_random_sequences() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        vocabulary = [f"w{i}" for i in range(rng.randint(1, 12))]  # small vocabularies: many repeats
        a = [rng.choice(vocabulary) for _ in range(rng.randint(0, 90))]
        b = [rng.choice(vocabulary) for _ in range(rng.randint(0, 90))]
        assert lcs_length(a, b) == reference_lcs(a, b) == lcs_length(b, a)


@pytest.mark.parametrize("a, b, expected", [
    ([], [], 0), (["x"], [], 0), ([], ["x"], 0), (["x"], ["x"], 1), (["x"], ["y"], 0),
    (list("abcbdab"), list("bdcaba"), 4), (["a"] * 70, ["a"] * 65, 65), (list("ab" * 40), list("ba" * 40), 79),
])
def test_lcs_length_known_cases(a: list[str], b: list[str], expected: int) -> None:
    assert lcs_length(a, b) == expected
    assert not (a and b) or reference_lcs(a, b) == expected  # rouge-score's table needs both non-empty


TEXTS = [
    "", "   ", "Happy.", "happy happy joy", "She is smiling and her voice is bright: she is delighted.",
    "The person looks sad, tears in the eyes, a low and slow voice; grief and loneliness.",
    "他看起来很开心，声音洪亮。", "Mixed 文本 with CJK 字符 and English words running together",
    "Running runners ran; the runner runs.", "a b c d e f g h i j k l m n o p q r s t u v w x y z " * 3,
]


def test_rouge_l_equals_rouge_score_float_for_float() -> None:
    tokenizer = CjkAwareRougeTokenizer(use_stemmer=True)
    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=tokenizer)
    rng = random.Random(3)
    words = " ".join(TEXTS).split()
    texts = TEXTS + [" ".join(rng.choice(words) for _ in range(rng.randint(0, 80))) for _ in range(400)]
    for target in texts[:60]:
        for prediction in rng.sample(texts, 25):
            expected = scorer.score(target, prediction)["rougeL"]
            got = rouge_l(tokenizer.tokenize(target), tokenizer.tokenize(prediction))
            assert got == (expected.precision, expected.recall, expected.fmeasure)  # exact, not approx


def test_the_scorer_gives_rouge_score_fmeasure() -> None:
    scorer = object.__new__(RougeLScorer)  # similarities() needs no context
    tokenizer = CjkAwareRougeTokenizer(use_stemmer=True)
    reference = rouge_scorer.RougeScorer(["rougeL"], tokenizer=tokenizer)
    predictions, references = TEXTS, TEXTS[::-1]
    got = [row["fscore"] for row in scorer.similarities(predictions, references)]
    assert got == [float(reference.score(r, p)["rougeL"].fmeasure) for p, r in zip(predictions, references)]
