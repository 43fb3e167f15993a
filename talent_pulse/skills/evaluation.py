"""Extraction quality against labelled text: micro precision/recall/F1 overall and per skill.

A labelled case is a text and the exact set of canonical skills an analyst reads in it
(tests/unit/skill_cases.yaml: short snippets by rule; tests/unit/skill_postings.yaml: full
postings by trade). `pulse skills eval` prints the scores; the unit tests hold them to the
targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from talent_pulse.skills.taxonomy import Skill


@dataclass(frozen=True)
class LabelledCase:
    text: str
    skills: frozenset[str]
    group: str  # the rule a snippet pins down, or the trade of a posting
    source: str  # file:index, to find the case again


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def support(self) -> int:
        """How often the labels name the skill."""
        return self.true_positives + self.false_negatives

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass
class Evaluation:
    cases: int = 0
    overall: Score = field(default_factory=Score)
    per_skill: dict[str, Score] = field(default_factory=dict)
    wrong: list[tuple[LabelledCase, list[str]]] = field(default_factory=list)  # cases with any error

    def most_frequent(self, count: int) -> list[str]:
        """The `count` skills the labels name most often (ties by name)."""
        labelled = [name for name, score in self.per_skill.items() if score.support]
        return sorted(labelled, key=lambda name: (-self.per_skill[name].support, name))[:count]


class CaseFileError(ValueError):
    """A labelled case file is unreadable or malformed; the message names the file and the entry."""


def load_cases(paths: Iterable[Path]) -> list[LabelledCase]:
    """Cases from YAML lists of {text, skills, rule or trade}."""
    cases = []
    for path in paths:
        try:
            entries = yaml.load(Path(path).read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, yaml.YAMLError) as exc:
            raise CaseFileError(f"cannot read labelled cases from {path}: {exc}") from exc
        if not isinstance(entries, list):
            raise CaseFileError(f"{path}: expected a YAML list of {{text, skills, rule or trade}} entries")
        for index, entry in enumerate(entries):
            if not (
                isinstance(entry, dict) and isinstance(entry.get("text"), str) and isinstance(entry.get("skills"), list)
            ):
                raise CaseFileError(
                    f"{path} entry {index}: needs `text` (a string) and `skills` (a list); got {entry!r}"
                )
            cases.append(
                LabelledCase(
                    entry["text"],
                    frozenset(entry["skills"]),
                    str(entry.get("rule") or entry.get("trade") or "-"),
                    f"{path}:{index}",
                )
            )
    return cases


def evaluate(cases: Sequence[LabelledCase], predictions: Sequence[Iterable[str]]) -> Evaluation:
    """Micro-averaged scores of `predictions` (one list of skills per case) against the labels."""
    result = Evaluation(cases=len(cases))
    for case, predicted in zip(cases, predictions, strict=True):
        found = set(predicted)
        for name in found | case.skills:
            score = result.per_skill.setdefault(name, Score())
            if name in found and name in case.skills:
                score.true_positives += 1
                result.overall.true_positives += 1
            elif name in found:
                score.false_positives += 1
                result.overall.false_positives += 1
            else:
                score.false_negatives += 1
                result.overall.false_negatives += 1
        if found != case.skills:
            result.wrong.append((case, sorted(found)))
    return result


def report(evaluation: Evaluation, policies: dict[str, str], top: int | None = None) -> list[str]:
    """The printed report: overall scores, then one line per skill, most frequent first."""
    overall = evaluation.overall
    lines = [
        f"overall (micro, {evaluation.cases} cases): precision {overall.precision:.4f}  "
        f"recall {overall.recall:.4f}  "
        f"F1 {overall.f1:.4f}  (tp {overall.true_positives}, fp {overall.false_positives}, "
        f"fn {overall.false_negatives})"
    ]
    top20 = evaluation.most_frequent(20)
    if top20:
        worst = min(top20, key=lambda name: evaluation.per_skill[name].recall)
        lines.append(
            f"top-20 skills by labelled frequency: lowest recall {evaluation.per_skill[worst].recall:.4f} ({worst})"
        )
    names = sorted(
        evaluation.per_skill,
        key=lambda name: (-evaluation.per_skill[name].support, -evaluation.per_skill[name].false_positives, name),
    )
    lines.append(
        f"{'skill':<28} {'policy':<9} {'support':>7} {'tp':>5} {'fp':>4} {'fn':>4} "
        f"{'precision':>9} {'recall':>7} {'F1':>7}"
    )
    for name in names[:top]:
        score = evaluation.per_skill[name]
        lines.append(
            f"{name:<28} {policies.get(name, '-'):<9} {score.support:>7} {score.true_positives:>5} "
            f"{score.false_positives:>4} {score.false_negatives:>4} {score.precision:>9.3f} "
            f"{score.recall:>7.3f} {score.f1:>7.3f}"
        )
    return lines


def policies(skills: Iterable[Skill]) -> dict[str, str]:
    """Skill name -> how its context-dependent forms are decided: "dominant", "context", "mixed"; absent: none."""
    result = {}
    for skill in skills:
        if skill.ambiguous:
            dominant = set(skill.dominant)
            result[skill.name] = "dominant" if dominant == set(skill.ambiguous) else "mixed" if dominant else "context"
    return result
