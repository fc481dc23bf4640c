"""A deliberately slow, literal oracle of docs/openvocab-metrics.md §1-§5, built on pandas like the
reference code, and independent of emer_bench.metrics. Tests and the EW benchmark compare the
fast implementation against it. Loaded by file path (see `load_oracle` in the tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

WHEEL_METRICS = [f"wheel{w}_l{level}" for w in range(1, 6) for level in (1, 2)]
ALL_METRICS = ["form", "synonym"] + WHEEL_METRICS


def to_list(value):
    """Rule 1 without case changes."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        return value
    if value == "":
        return []
    if pd.isna(value):
        return []
    if value[0] == "[":
        value = value[1:]
    if value and value[-1] == "]":
        value = value[:-1]
    return [piece.strip() for piece in re.split("['\",]", value) if piece.strip() != ""]


def parse(value):
    return [label.lower().strip() for label in to_list(value)]


class Oracle:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.form_map = self._form_map()
        self.synonym_map = self._synonym_map()
        self.wheel_maps = {}
        for wheel in range(1, 6):
            tree = self._wheel_tree(self.directory / f"wheel{wheel}.xlsx")
            for level in (1, 2):
                self.wheel_maps[f"wheel{wheel}_l{level}"] = self._wheel_map(tree, level)

    def _form_map(self):
        df = pd.read_csv(self.directory / "format.csv")
        form_map = {}
        for _, row in df.iterrows():
            name = "" if pd.isna(row["name"]) else row["name"]
            forms = "" if pd.isna(row["format"]) else row["format"]
            for form in to_list(forms):
                form_map.setdefault(form, []).append(name)
            form_map.setdefault(name, []).append(name)
        return form_map

    def _synonym_map(self):
        df = pd.read_excel(self.directory / "synonym.xlsx")
        runs = []
        for k in range(1, 9):
            run = {}
            for _, row in df.iterrows():
                word = row[f"word_run{k}"].strip().lower()
                run.setdefault(word, []).append(word)
                for synonym in to_list(row[f"synonym_run{k}"]):
                    run.setdefault(synonym.strip().lower(), []).append(word)
            runs.append(run)
        merged = runs[0]
        for run in runs[1:]:
            merged = {key: list(set(merged.get(key, []) + run.get(key, []))) for key in list(merged) + list(run)}
        return merged

    @staticmethod
    def _wheel_tree(path: Path):
        df = pd.read_excel(path)
        tree = {}
        l1 = l2 = l3 = ""
        for _, row in df.iterrows():
            if not pd.isna(row["level1"]):
                l1 = row["level1"]
            if not pd.isna(row["level2"]):
                l2 = row["level2"]
            if not pd.isna(row["level3"]):
                l3 = row["level3"]
            l1, l2, l3 = l1.lower().strip(), l2.lower().strip(), l3.lower().strip()
            tree.setdefault(l1, {}).setdefault(l2, []).append(l3)
        return tree

    @staticmethod
    def _wheel_map(tree, level):
        out = {}
        for l1 in tree:
            out[l1] = l1 if level == 1 else sorted(tree[l1])[0]
            for l2 in tree[l1]:
                out[l2] = l1 if level == 1 else l2
                for l3 in tree[l1][l2]:
                    out[l3] = l1 if level == 1 else l2
        return out

    def map_one(self, label, metric):
        if label not in self.form_map:
            return ""
        if metric == "form":
            return sorted(self.form_map[label])[0]
        if metric == "synonym":
            return sorted(self.synonym_map[sorted(self.form_map[label])[0]])[0]
        wheel_map = self.wheel_maps[metric]
        pool = []
        for name in self.form_map[label]:
            pool.extend(self.synonym_map[name])
        for word in sorted(pool):
            if word in wheel_map:
                return wheel_map[word]
        return ""

    def map_list(self, labels, metric):
        return [m for m in (self.map_one(label, metric) for label in labels) if m != ""]

    def precision_recall(self, references, predictions, metric):
        precisions, recalls = [], []
        for reference, prediction in zip(references, predictions):
            ref = parse(reference) or ["neutral"]
            pred = parse(prediction) if prediction is not None else []
            g = set(self.map_list(ref, metric))
            p = set(self.map_list(pred, metric))
            if len(g) == 0:
                continue
            if len(p) == 0:
                precisions.append(0)
                recalls.append(0)
            else:
                precisions.append(len(g & p) / len(p))
                recalls.append(len(g & p) / len(g))
        return np.mean(precisions), np.mean(recalls)

    def all_metrics(self, references, predictions):
        """{"form_precision": ..., "ew_l1_fscore": ..., "m_avg": ...} like EWResult.flat()."""
        out, fscores = {}, {}
        for metric in ALL_METRICS:
            p, r = self.precision_recall(references, predictions, metric)
            f = 0.0 if p + r == 0 else 2 * p * r / (p + r)
            out[f"{metric}_precision"], out[f"{metric}_recall"], out[f"{metric}_fscore"] = p, r, f
            fscores[metric] = f
        for level in (1, 2):
            names = [f"wheel{w}_l{level}" for w in range(1, 6)]
            for part in ("precision", "recall", "fscore"):
                out[f"ew_l{level}_{part}"] = float(np.mean([out[f"{n}_{part}"] for n in names]))
        out["m_avg"] = float(np.mean([fscores[m] for m in ALL_METRICS]))
        return out

    def hit_rate(self, reference_labels, predictions):
        """(hit rate, m-score): means over the 5 wheels at level 1."""
        distinct = list(set(reference_labels))
        results = []
        for wheel in range(1, 6):
            metric = f"wheel{wheel}_l1"
            candidates = set()
            for label in distinct:
                candidates |= set(self.map_list(parse(label), metric))
            hits, scores = [], []
            for label, prediction in zip(reference_labels, predictions):
                g = set(self.map_list(parse(label), metric))
                if len(g) == 0:
                    continue
                p = set(self.map_list(parse(prediction) if prediction is not None else [], metric))
                hits.append(len(p & g))
                scores.append(0 if len(p & candidates) == 0 else len(p & g) / len(p & candidates))
            results.append([np.mean(hits), np.mean(scores)])
        return tuple(np.mean(results, axis=0).tolist())


_ORACLES: dict[str, Oracle] = {}


def oracle_for(directory: Path) -> Oracle:
    """One Oracle per directory per process (building it reads the xlsx files with pandas)."""
    key = str(Path(directory).resolve())
    if key not in _ORACLES:
        _ORACLES[key] = Oracle(Path(directory))
    return _ORACLES[key]
