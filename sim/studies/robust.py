"""Robust comparison: which policy wins over the ranges of the assumptions, and why.

A study run with ``uncertainty.samples=N`` (``+experiment=robust_NAME``) gives every job
the same N points of the scenario's ranges and the same seeds (sim/runs/uncertain.py).
Per scenario (and setting) this module compares the policies point by point, on the
point's mean over its seeds:

* the distribution of each policy's effect against the baseline (paired at each point);
* the probability that it is the best policy (the share of points where it has the
  lowest objective), its regret (objective minus the best policy's at that point: mean,
  95th percentile and worst) and how often it does better than the baseline;
* which factors flip the ranking (scenario discovery): a shallow decision tree that
  predicts the best policy from the factor values, read out as rules with its
  cross-validated accuracy, and each factor's rank correlation with each policy's
  effect, with false-discovery-rate q-values (many factors, few points).

The seed noise stays in a point's mean (a policy can win a point by luck when two are
close); more replications per point shrink it. Writes ``robust.csv``,
``robust_drivers.csv`` and, with plots, ``robust_effects.png``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.stats import q_values
from sim.runs.study_data import Job
from sim.runs.uncertain import FACTOR_PREFIX

ROBUST_FILE = "robust.csv"
DRIVERS_FILE = "robust_drivers.csv"
OBJECTIVE = "overdue_dossiers"  # lower is better: resolved late plus open past the deadline
TREE_DEPTH = 2  # a rule a planner can read: at most two conditions


@dataclass
class PointTable:
    """One scenario's (and setting's) policies at each point: objective and factor values."""

    scenario: str
    setting: str
    objective: pd.DataFrame  # index: sample; columns: policy
    factors: pd.DataFrame  # index: sample; columns: factor names
    costs: dict[str, float]


def sampled(job: Job) -> bool:
    """A job run over a sample of the ranges (it has per-point rows)."""
    table = job.replications
    return job.ok and table is not None and "sample" in table.columns


def point_tables(jobs: list[Job], objective: str = OBJECTIVE) -> list[PointTable]:
    """Per scenario and setting: each policy's mean objective at each point, and the
    values of the factors that act on at least one of its jobs.

    Only points every job of the group ran are kept (a job with fewer points pairs over
    the common ones).
    """
    groups: dict[tuple[str, str], list[Job]] = {}
    for job in jobs:
        if sampled(job):
            groups.setdefault(job.group, []).append(job)
    tables = []
    for (scenario, setting), members in sorted(groups.items()):
        columns, costs, factors, acting = {}, {}, None, set()
        for job in members:
            rows = job.replications
            values = _objective(rows, objective)
            columns[job.policy] = values.groupby(rows["sample"]).mean()
            costs[job.policy] = float(rows.get("policy_cost_vnd", pd.Series([0.0])).mean())
            acting.update(job.summary.get("uncertainty_factors", []))
            if factors is None:
                names = [c for c in rows.columns if c.startswith(FACTOR_PREFIX)]
                factors = rows.groupby("sample")[names].first()
                factors.columns = [c[len(FACTOR_PREFIX) :] for c in names]
        factors = factors[[f for f in factors.columns if f in acting]]
        table = pd.DataFrame(columns).dropna()
        tables.append(PointTable(scenario, setting, table, factors.loc[table.index], costs))
    return tables


def _objective(rows: pd.DataFrame, objective: str) -> pd.Series:
    if objective == "overdue_dossiers":
        return rows["dossiers_late"] + rows["overdue_open"]
    return rows[objective]


def summarise(table: PointTable, objective: str = OBJECTIVE) -> pd.DataFrame:
    """robust.csv rows of one scenario: each policy's effect, chance of being best, regret."""
    values = table.objective
    best = values.min(axis=1)
    winner = values.idxmin(axis=1)
    base = values["baseline"] if "baseline" in values else None
    rows = []
    for policy in values.columns:
        regret = values[policy] - best
        row = {
            "scenario": table.scenario,
            "setting": table.setting,
            "policy": policy,
            "objective": objective,
            "points": len(values),
            "mean": values[policy].mean(),
            "probability_best": float((winner == policy).mean()),
            "regret_mean": regret.mean(),
            "regret_p95": regret.quantile(0.95),
            "regret_max": regret.max(),
            "policy_cost_vnd_mean": table.costs.get(policy, math.nan),
        }
        if base is not None and policy != "baseline":
            effect = values[policy] - base
            row |= {
                "effect_mean": effect.mean(),
                "effect_p05": effect.quantile(0.05),
                "effect_p50": effect.median(),
                "effect_p95": effect.quantile(0.95),
                "share_better_than_baseline": float((effect < 0).mean()),
            }
        rows.append(row)
    return pd.DataFrame(rows)


def drivers(table: PointTable) -> pd.DataFrame:
    """robust_drivers.csv rows: the rules that decide the best policy, and each factor's
    rank correlation with each policy's effect (largest first).

    With many factors and few points some correlations are large by chance: each
    policy's p-values get Benjamini-Hochberg q-values (false discovery rate), and the
    report shows only factors with ``q`` under ``FALSE_DISCOVERY_RATE``.
    """
    rows = [
        {"scenario": table.scenario, "setting": table.setting, "kind": "rule", **rule}
        for rule in best_policy_rules(table)
    ]
    values = table.objective
    if "baseline" in values:
        for policy in [p for p in values.columns if p != "baseline"]:
            effect = values[policy] - values["baseline"]
            found = []
            for factor in _discoverable(table):
                x = table.factors[factor]
                if x.nunique() < 3 or effect.nunique() < 3:
                    continue
                rho, p = stats.spearmanr(x, effect)
                found.append({"factor": factor, "spearman_rho": rho, "p_value": p})
            for item, q in zip(found, q_values([f["p_value"] for f in found]), strict=True):
                rows.append(
                    {
                        "scenario": table.scenario,
                        "setting": table.setting,
                        "kind": "correlation",
                        "policy": policy,
                        **item,
                        "q_value": q,
                    }
                )
    frame = pd.DataFrame(rows)
    if "spearman_rho" in frame:
        frame["_order"] = -frame["spearman_rho"].abs().fillna(np.inf)
        frame = frame.sort_values(["kind", "policy", "_order"], na_position="first")
        frame = frame.drop(columns="_order")
    return frame.reset_index(drop=True)


def _discoverable(table: PointTable) -> list[str]:
    """Factors that can move the objective: unit costs (``costs.*``) move only costs."""
    return [f for f in table.factors.columns if not f.startswith("costs.")]


def best_policy_rules(table: PointTable) -> list[dict]:
    """Scenario discovery: a depth-2 decision tree on the factor values predicting the
    best policy at each point; one rule per leaf (conditions, best policy, share).

    Each rule row also carries the tree's accuracy on the points it was fitted to, its
    5-fold cross-validated accuracy and the share of the most frequent winner: a tree
    whose cross-validated accuracy does not beat always naming the most frequent winner
    has found no factor that decides the ranking (too few points, or none decides).
    """
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    winner = table.objective.idxmin(axis=1)
    shares = winner.value_counts(normalize=True)
    majority, most_often = float(shares.iloc[0]), str(shares.index[0])
    if winner.nunique() < 2:
        return [
            {
                "rule": "at every point",
                "best": winner.iloc[0],
                "points": len(winner),
                "share_of_leaf": 1.0,
                "majority_share": 1.0,
                "majority_best": str(winner.iloc[0]),
            }
        ]
    names = _discoverable(table)
    x = table.factors[names].to_numpy(dtype=float)
    y = winner.to_numpy()
    leaf = max(2, len(winner) // 10)
    tree = DecisionTreeClassifier(max_depth=TREE_DEPTH, min_samples_leaf=leaf, random_state=0)
    folds = KFold(n_splits=min(5, len(y)), shuffle=True, random_state=0)
    cv_accuracy = float(np.mean(cross_val_score(tree, x, y, cv=folds)))
    tree.fit(x, y)
    accuracy = float(tree.score(x, y))
    structure = tree.tree_
    rules = []

    def walk(node: int, conditions: list[str]) -> None:
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:  # a leaf
            counts = structure.value[node][0]
            rules.append(
                {
                    "rule": " and ".join(conditions) or "at every point",
                    "best": str(tree.classes_[int(np.argmax(counts))]),
                    "points": int(structure.n_node_samples[node]),
                    "share_of_leaf": float(np.max(counts) / np.sum(counts)),
                    "tree_accuracy": accuracy,
                    "cv_accuracy": cv_accuracy,
                    "majority_share": majority,
                    "majority_best": most_often,
                }
            )
            return
        name, threshold = names[structure.feature[node]], structure.threshold[node]
        walk(left, [*conditions, f"{name} <= {threshold:.4g}"])
        walk(right, [*conditions, f"{name} > {threshold:.4g}"])

    walk(0, [])
    return rules


def robust_tables(jobs: list[Job], objective: str = OBJECTIVE):
    """robust.csv and robust_drivers.csv for the sampled jobs (None when there are none)."""
    tables = point_tables(jobs, objective)
    if not tables:
        return None
    summary = pd.concat([summarise(t, objective) for t in tables], ignore_index=True)
    causes = pd.concat([drivers(t) for t in tables], ignore_index=True)
    return summary, causes, tables
