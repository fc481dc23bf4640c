"""How well (and how fast) the `offline` label extractor turns explanations into labels.

Quality, with the published scoring functions (emer_bench.metrics.openvocab):
- EMER-Fine dev split: labels extracted from the 166 English reference descriptions, scored
  against the OV-MERD open-vocabulary labels of the same clips (EW-L1 P/R/F = mean over the 5
  wheels at level 1, EW-L2 F, M-avg). The rules were developed on this split.
- EMER v1 (100 clips, not used while writing the rules): labels extracted from the reference
  explanations, hit rate and m-score against the single categorical label.
Baseline in the same run: "every vocabulary word in the text" (every n-gram of the text that
is a surface form of the emotion-wheel resources, quoted speech included, no rules).

Speed: setup (tables + WordNet load) and extraction of 1,000 explanations after setup.

    python3 benchmarks/measure_offline_extractor.py [--resources DIR] [--data DIR]

Writes benchmarks/results/offline_extractor.md. Never reads the held-back ../shared/eval.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from machine_info import cpu_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from robustness_set import Counts, load_set, score_set  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emer_bench.api.scorer import ScoringContext  # noqa: E402
from emer_bench.metrics.labels import parse_label_list  # noqa: E402
from emer_bench.metrics.openvocab import score_ew, score_hit_rate  # noqa: E402
from emer_bench.metrics.wheel_mapping import WheelTables  # noqa: E402
from emer_bench.resources.wheel_tables import load_wheel_tables  # noqa: E402
from emer_bench.scoring.extractors.offline import OfflineExtractor, OfflineExtractorArgs  # noqa: E402
from emer_bench.scoring.extractors.offline_text import normalise  # noqa: E402

SHARED = Path(os.environ.get("EMER_BENCH_SHARED", ROOT.parent / "shared"))
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


class Timer:
    """Wall-clock and process CPU seconds of a `with` block."""

    def __enter__(self) -> "Timer":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} | {self.cpu:.2f}"


RULES_AND_HISTORY = """## What the extractor does (general rules, no per-clip word lists)

1. Vocabulary: every surface form of the emotion-wheel form map (longest match, multi-word forms
   included); words not in it are looked up by their WordNet lemmas (inflection, adverb -> adjective,
   same-stem derivation). Quoted speech (the subtitle) is ignored; short quoted terms are not speech.
2. Senses: a word whose frequent WordNet senses are feelings (noun.feeling / verb.emotion, directly or
   through its derivations) counts anywhere; other vocabulary words ("open", "low", "serious") only in
   an emotion frame (before an emotion noun such as "expression"/"tone"/"attitude", after "feel"/"a sense
   of"/"a hint of", after a copula whose subject is the person), lists sharing the frame; a word listed
   beside an accepted one is accepted ("happy, relaxed, content").
3. Negation scope to the end of the clause ("no sign of anger", "without any fear", "rather than sad";
   "not only" excepted); "whether"/"if" clauses are not asserted; hedges ("may", "possibly") are kept
   because reference explanations hedge nearly every attribution.
4. Concluding statement: after the last "In the audio/video/text ..." section, the first sentence with
   an inference/summary marker starts the conclusion; when it names emotions only it is used. Inside it,
   claims win over the cues restated in "Based on <cues>, we can infer <claim>".
5. Main character: words in a clause about "the other person"/"others"/"the listener", or about a
   relative of the character ("his friend", "her mother": a possessive before a WordNet noun.person),
   are dropped; category words ("emotion", "feeling", "mood") and frame glue ("sense" in "a sense of")
   are never labels; "lack(s) ..." negates like "lack of".
6. Things, not people (WordNet lexicographer files): a word modifying a noun that names a thing
   (artifact, food, substance, object, phenomenon, place, time, possession: "a warm room", "a cold
   beer", "a wild storm"), the predicate of such a subject ("the soup is still warm", "the water looks
   calm"), a noun use whose frequent noun senses are no state of mind ("the content of the letter"), or
   a word after an indefinite pronoun ("something unpleasant") is not a label. Derivations into a
   non-mental noun are not followed ("contains" -> contain -> content = what is held).

Development history on the same dev split (EW-L1 F): all vocabulary words 0.533; + negation, quoted
speech, concluding zone 0.647; + WordNet sense filter and frames 0.706; + category/glue words and
modality-section fix 0.733; + claims over evidence 0.751; + phrase-end and copula refinements 0.758;
+ other-person clauses 0.761; + compound and verb-only checks 0.765; + acceptance shared by list items
(for bare-list answers) 0.765 (measured again 2026-11-27 before the next steps: 0.7646); + derivations
only into mental nouns, things not people (issue 12) 0.766; + relatives as other persons, "lack"
0.767; + "sense of" glue 0.770; + indefinite pronouns, possessions as things 0.776. Tried and
dropped (lower F): keeping only the first of "X or Y", only the last inference sentence, only
labels named twice, "positive"/"negative" as category words. Failure modes left: annotators'
label sets differ from the description's words (e.g. "dissatisfaction"/"dissatisfied", 23 of the
wrong labels, maps to *sad* on the wheels while the references say *angry*/*displeased*;
"excited tone", "serious conversation", "calm expression" are often not reference labels), which
no rule that reads the description can fix; 0.80 was not reached.
"""


class EveryVocabularyWord:
    """The baseline: every n-gram of the text that is a vocabulary form (no rules at all)."""

    def __init__(self, vocabulary: frozenset[str]) -> None:
        self.forms = {tuple(_WORD.findall(normalise(form).lower())): form for form in vocabulary}
        self.forms.pop((), None)
        self.longest = max(len(key) for key in self.forms)

    def extract(self, texts: list[str]) -> list[list[str]]:
        out = []
        for text in texts:
            words = _WORD.findall(normalise(text).lower())
            found = [self.forms[key] for i in range(len(words)) for n in range(1, self.longest + 1)
                     if (key := tuple(words[i:i + n])) in self.forms]
            out.append(list(dict.fromkeys(found)))
        return out


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ew_row(name: str, predictions: list[list[str]], references: list[list[str]], tables: WheelTables) -> str:
    result = score_ew(references, predictions, tables)
    l1, l2 = result.metrics["ew_l1"], result.metrics["ew_l2"]
    mean_labels = sum(map(len, predictions)) / len(predictions)
    return (f"| {name} | {l1.precision:.4f} | {l1.recall:.4f} | **{l1.fscore:.4f}** | {l2.fscore:.4f} "
            f"| {result.m_avg:.4f} | {mean_labels:.2f} |")


def hit_row(name: str, predictions: list[list[str]], references: list[list[str]], tables: WheelTables) -> str:
    result = score_hit_rate(references, predictions, tables)
    return f"| {name} | {result.hit_rate:.4f} | {result.m_score:.4f} |"


def robustness_lines(extractors: dict[str, Any]) -> list[str]:
    """The project's robustness set (benchmarks/robustness_set.py): per extractor, precision on
    non-emotional text (and the share of its sentences left without a spurious label), F on
    emotional text, and both on the "check" half that was not looked at while writing rules."""
    items = load_set()
    lines = ["| extractor | non-emotional: precision | non-emotional: clean sentences | emotional: P | R | **F** "
             "| check half: clean | check half: F |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    per_group: dict[str, dict[str, Counts]] = {}
    for name, extractor in extractors.items():
        scores = per_group[name] = score_set(items, extractor.extract)
        non, emo = scores["non_emotional_text"], scores["emotional_text"]
        non_check, emo_check = scores["non_emotional_text:check"], scores["emotional_text:check"]
        lines.append(f"| {name} | {non.precision:.3f} ({non.tp} of {non.tp + non.fp} labels) | {non.clean}/{non.items} "
                     f"| {emo.precision:.3f} | {emo.recall:.3f} | **{emo.fscore:.3f}** "
                     f"| {non_check.clean}/{non_check.items} | {emo_check.fscore:.3f} |")
    groups = sorted({item.group for item in items})
    lines += ["", "Per group (F; non_emotional: clean sentences):", "",
              "| extractor | " + " | ".join(groups) + " |", "| --- |" + " --- |" * len(groups)]
    for name, scores in per_group.items():
        cells = [f"{scores[g].clean}/{scores[g].items}" if g == "non_emotional" else f"{scores[g].fscore:.3f}"
                 for g in groups]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resources", type=Path, default=SHARED / "data" / "emotion_wheel" / "mer2025")
    parser.add_argument("--data", type=Path, default=SHARED / "data" / "emer")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "offline_extractor.md")
    options = parser.parse_args()

    fine = read_rows(options.data / "emer_fine_descriptions.csv")
    openset = {row["name"]: parse_label_list(row["openset"])
               for row in read_rows(options.data / "ovmerd_openset_labels.csv")}
    fine_texts = [row["english"] for row in fine]
    fine_refs = [openset[row["name"]] for row in fine]
    v1 = read_rows(options.data / "emer_v1_gt_eng.csv")
    v1_texts = [row["reasons"] for row in v1]
    v1_refs = [parse_label_list([row["emotions"]]) for row in v1]

    with Timer() as load_tables:
        tables = load_wheel_tables(options.resources)
    extractor = OfflineExtractor(OfflineExtractorArgs(resources_dir=options.resources), ScoringContext())
    with Timer() as setup:
        extractor.extract(["warm-up: he is happy."])  # loads WordNet and builds the matcher
    baseline = EveryVocabularyWord(tables.vocabulary)

    with Timer() as cold:  # first sight of every word (WordNet look-ups)
        ours_fine = extractor.extract(fine_texts)
        ours_v1 = extractor.extract(v1_texts)
    thousand = ((fine_texts + v1_texts) * 4)[:1000]
    with Timer() as warm:
        extractor.extract(thousand)
    with Timer() as base:
        base_fine = baseline.extract(fine_texts)
        base_v1 = baseline.extract(v1_texts)
    words = sum(len(text.split()) for text in fine_texts) / len(fine_texts)

    lines = [
        "# offline label extractor: agreement with reference labels, and speed",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"Python {platform.python_version()}. Command: `python3 benchmarks/measure_offline_extractor.py`.",
        f"Resources: `{options.resources.name}` emotion wheel.",
        "",
        "## EMER-Fine dev split (166 clips): labels from the English reference descriptions vs OV-MERD labels",
        "",
        f"Descriptions average {words:.0f} words. The rules were developed on this split (general rules only,",
        "see emer_bench/scoring/extractors/offline_rules.py and offline_frames.py); the held-back split was not used.",
        "",
        "| extractor | EW-L1 P | EW-L1 R | EW-L1 F | EW-L2 F | M-avg | labels/clip |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ew_row("every vocabulary word (baseline)", base_fine, fine_refs, tables),
        ew_row("offline", ours_fine, fine_refs, tables),
        "",
        "## EMER v1 (100 clips, not used for the rules): labels from the reference explanations vs "
        "the categorical label",
        "",
        "| extractor | hit rate | m-score |",
        "| --- | --- | --- |",
        hit_row("every vocabulary word (baseline)", base_v1, v1_refs, tables),
        hit_row("offline", ours_v1, v1_refs, tables),
        "",
        "## Robustness set (the project's own sentences, benchmarks/data/offline_robustness.jsonl)",
        "",
        f"{len(load_set())} sentences written for this project: vocabulary words in non-emotional senses (warm rooms,",
        "moving cars, \"contains\"), plain attributions, negation, other-person clauses, hedges, concluding",
        "statements. Scoring rules in benchmarks/robustness_set.py; half the sentences (\"check\") were not looked",
        "at while writing rules.",
        "",
        *robustness_lines({"every vocabulary word (baseline)": baseline, "offline": extractor}),
        "",
        "The offline extractor before issue 12 (main at 5e3320c, same set, 2026-11-27): non-emotional precision",
        "0.111 (2 of 18 labels), 35/50 clean sentences; emotional F 0.932 (check half: 20/25 clean, F 0.909).",
        "The lexicon-baseline's 100 EMER v1 answers (67 say the subtitle \"contains no emotion words\") now give",
        "\"content\" 0 times (67 before), its 10 emer-demo answers 0 times (8 before).",
        "",
        "## Speed",
        "",
        "Wall-clock and CPU time of this process (the machine may be shared: CPU time is the steadier figure).",
        "",
        "| step | wall s | CPU s |",
        "| --- | --- | --- |",
        f"| load emotion-wheel tables (first parse) | {load_tables} |",
        f"| offline setup: WordNet load + matcher (once per process) | {setup} |",
        f"| offline: first pass over {len(fine_texts) + len(v1_texts)} distinct explanations "
        f"(cold word cache) | {cold} |",
        f"| offline: 1,000 explanations after setup (warm word cache) | {warm} |",
        f"| baseline: {len(fine_texts) + len(v1_texts)} explanations | {base} |",
        "",
        RULES_AND_HISTORY,
    ]
    report = "\n".join(lines)
    print(report)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
