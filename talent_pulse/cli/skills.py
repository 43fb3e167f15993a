"""`pulse skills extract` (JSON lines in, skills out), `pulse skills list` (the taxonomy) and
`pulse skills eval` (quality on the labelled corpus, and JVM/Python agreement)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

from talent_pulse.checkout import CheckoutMissing, checkout_path
from talent_pulse.cli import Subparsers
from talent_pulse.cli.errors import CliError
from talent_pulse.skills import TaxonomyError, default_matcher, load_taxonomy
from talent_pulse.skills.evaluation import CaseFileError, LabelledCase, evaluate, load_cases, policies, report

DEFAULT_CASES = ("tests/unit/skill_cases.yaml", "tests/unit/skill_postings.yaml", "tests/unit/skill_open_cases.yaml")

T = TypeVar("T")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("skills", help="extract skills from text, or list the skill taxonomy")
    commands = parser.add_subparsers(dest="skills_command", required=True, metavar="SUBCOMMAND")
    extract = commands.add_parser(
        "extract",
        help='read JSON lines {"id", "text"} or {"id", "title", "description"} on stdin, '
        'write {"id", "skills"} per line',
    )
    extract.add_argument(
        "--keep-going",
        action="store_true",
        help="report bad lines on stderr and continue (exit 1 at the end) instead of stopping",
    )
    extract.set_defaults(handler=run_extract)
    listing = commands.add_parser(
        "list",
        help="print every skill: name, category, aliases "
        '("X (in context)": needs a technical context; "X (unless vetoed)": '
        "counts unless its negative context says otherwise)",
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per skill")
    listing.add_argument("--category", help="only this category")
    listing.set_defaults(handler=run_list)
    quality = commands.add_parser(
        "eval", help="precision/recall/F1 on labelled text (overall and per skill) and JVM/Python agreement"
    )
    quality.add_argument(
        "--cases",
        type=Path,
        action="append",
        help="YAML list of {text, skills, rule or trade}; repeatable "
        "(default: the repository's tests/unit/skill_cases.yaml and skill_postings.yaml)",
    )
    quality.add_argument("--top", type=int, default=None, help="print only the N most frequent skills")
    quality.add_argument("--wrong", action="store_true", help="also print every case the matcher gets wrong")
    quality.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="N",
        help="also score N postings of the synthetic generator against the skills it wrote into "
        "them (a skill found beyond those counts as a false positive)",
    )
    quality.add_argument(
        "--no-jvm", action="store_true", help="skip the JVM matcher (no Spark session); agreement is then not checked"
    )
    quality.set_defaults(handler=run_eval)


def posting_text(record: dict[str, Any]) -> str:
    """The text a posting is matched on: `text`, or title and description joined by a newline."""
    parts = [record["text"]] if "text" in record else [record.get("title"), record.get("description")]
    for part in parts:
        if part is not None and not isinstance(part, str):
            raise ValueError(f"text fields must be strings, got {type(part).__name__}")
    return "\n".join(part for part in parts if part is not None)


def run_extract(args: argparse.Namespace) -> int:
    matcher = _load(default_matcher)
    bad_lines = 0
    for line_number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
            text = posting_text(record)
        except ValueError as exc:
            message = f'line {line_number}: {exc}; each line must be a JSON object with "text" or "title"/"description"'
            if not args.keep_going:
                raise CliError(message + " (use --keep-going to skip bad lines)") from exc
            print(message, file=sys.stderr)
            bad_lines += 1
            continue
        print(json.dumps({"id": record.get("id"), "skills": matcher.extract(text)}, ensure_ascii=False))
    if bad_lines:
        print(f"{bad_lines} bad line(s) skipped", file=sys.stderr)
        return 1
    return 0


def run_list(args: argparse.Namespace) -> int:
    taxonomy = _load(load_taxonomy)
    skills = [skill for skill in taxonomy.skills if args.category in (None, skill.category)]
    if not skills:
        categories = sorted({skill.category for skill in taxonomy.skills})
        raise CliError(f"no skills in category {args.category!r}; categories: {', '.join(categories)}")
    for skill in sorted(skills, key=lambda skill: (skill.category, skill.name.lower())):
        if args.json:
            print(
                json.dumps(
                    {
                        "name": skill.name,
                        "category": skill.category,
                        "aliases": list(skill.aliases),
                        "ambiguous": list(skill.ambiguous),
                        "dominant": list(skill.dominant),
                        "needs_context": skill.needs_context,
                    }
                )
            )
        else:
            forms = ", ".join(
                (
                    *skill.aliases,
                    *(
                        f"{form} (unless vetoed)" if form in skill.dominant else f"{form} (in context)"
                        for form in skill.ambiguous
                    ),
                )
            )
            print(f"{skill.name}\t{skill.category}\t{forms}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    try:
        paths = args.cases or [checkout_path(path, "the labelled skill cases") for path in DEFAULT_CASES]
    except CheckoutMissing as exc:
        raise CliError(f"{exc}; or pass --cases FILE (a YAML list of {{text, skills}})") from exc
    try:
        cases = load_cases(paths)
    except CaseFileError as exc:
        raise CliError(str(exc)) from exc
    taxonomy = _load(load_taxonomy)
    unknown = sorted({name for case in cases for name in case.skills} - {skill.name for skill in taxonomy.skills})
    if unknown:
        raise CliError(f"labels name skills the taxonomy lacks: {', '.join(unknown)}; fix the labels or the taxonomy")
    python = _load(default_matcher).extract_many([case.text for case in cases])
    evaluation = evaluate(cases, python)
    print(f"labelled cases: {len(cases)} from {', '.join(str(path) for path in paths)}")
    for line in report(evaluation, policies(taxonomy.skills), args.top):
        print(line)
    if args.wrong:
        for case, found in evaluation.wrong:
            print(f"WRONG {case.source} [{case.group}] labels {sorted(case.skills)} found {found}: {case.text[:160]!r}")
    if args.generated:
        generated = _generated_cases(args.generated)
        print(f"\ngenerated postings: {len(generated)} (talent_pulse.generator, seed 0, ground truth as labels)")
        for line in report(
            evaluate(generated, _load(default_matcher).extract_many([case.text for case in generated])),
            policies(taxonomy.skills),
            args.top,
        ):
            print(line)
    if args.no_jvm:
        return 0
    jvm = _jvm_skills([case.text for case in cases])
    agree = sum(1 for mine, theirs in zip(python, jvm, strict=True) if mine == theirs)
    print(f"JVM/Python agreement: {agree}/{len(cases)} cases")
    return 0 if agree == len(cases) else 1


def _generated_cases(count: int) -> list[LabelledCase]:
    from datetime import datetime

    from talent_pulse.generator import PostingGenerator

    generator = PostingGenerator(seed=0)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    postings = [generator.generate(moment) for _ in range(count)]
    return [
        LabelledCase(
            posting.event["title"] + "\n" + posting.event["description"],
            frozenset(posting.skills or ()),
            "generated",
            f"generated:{index}",
        )
        for index, posting in enumerate(postings)
    ]


def _jvm_skills(texts: list[str]) -> list[list[str]]:
    """The JVM matcher's answers through the Spark path the streaming job uses (a local session)."""
    from talent_pulse.jvm_build import skill_matcher_jar
    from talent_pulse.settings import Settings
    from talent_pulse.skills.spark import with_skills
    from talent_pulse.spark_session import local_session

    jar = skill_matcher_jar(Path(Settings.from_env().cache_dir), log=lambda message: print(message, file=sys.stderr))
    spark = local_session("talent-pulse-skills-eval", [jar])
    try:
        df = spark.createDataFrame(list(enumerate(texts)), "id long, text string")
        rows = with_skills(df, text_cols=("text",)).select("id", "skills").collect()
    finally:
        spark.stop()
    by_id = {row["id"]: list(row["skills"]) for row in rows}
    return [by_id[index] for index in range(len(texts))]


def _load(factory: Callable[[], T]) -> T:
    try:
        return factory()
    except TaxonomyError as exc:
        raise CliError(str(exc)) from exc
