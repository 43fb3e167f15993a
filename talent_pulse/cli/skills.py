"""`pulse skills extract` (JSON lines in, skills out) and `pulse skills list` (the taxonomy)."""

from __future__ import annotations

import json
import sys

from talent_pulse.cli.main import CliError
from talent_pulse.skills import TaxonomyError, default_matcher, load_taxonomy


def register(subparsers) -> None:
    parser = subparsers.add_parser("skills", help="extract skills from text, or list the skill taxonomy")
    commands = parser.add_subparsers(dest="skills_command", required=True, metavar="SUBCOMMAND")
    extract = commands.add_parser(
        "extract", help='read JSON lines {"id", "text"} or {"id", "title", "description"} on stdin, '
                        'write {"id", "skills"} per line')
    extract.add_argument("--keep-going", action="store_true",
                         help="report bad lines on stderr and continue (exit 1 at the end) instead of stopping")
    extract.set_defaults(handler=run_extract)
    listing = commands.add_parser("list", help="print every skill: name, category, aliases")
    listing.add_argument("--json", action="store_true", help="one JSON object per skill")
    listing.add_argument("--category", help="only this category")
    listing.set_defaults(handler=run_list)


def posting_text(record: dict) -> str:
    """The text a posting is matched on: `text`, or title and description joined by a newline."""
    if "text" in record:
        parts = [record["text"]]
    else:
        parts = [record.get("title"), record.get("description")]
    for part in parts:
        if part is not None and not isinstance(part, str):
            raise ValueError(f"text fields must be strings, got {type(part).__name__}")
    return "\n".join(part for part in parts if part is not None)


def run_extract(args) -> int:
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
            message = (f"line {line_number}: {exc}; each line must be a JSON object with "
                       '"text" or "title"/"description"')
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


def run_list(args) -> int:
    taxonomy = _load(load_taxonomy)
    skills = [skill for skill in taxonomy.skills if args.category in (None, skill.category)]
    if not skills:
        categories = sorted({skill.category for skill in taxonomy.skills})
        raise CliError(f"no skills in category {args.category!r}; categories: {', '.join(categories)}")
    for skill in sorted(skills, key=lambda skill: (skill.category, skill.name.lower())):
        if args.json:
            print(json.dumps({"name": skill.name, "category": skill.category, "aliases": list(skill.aliases),
                              "ambiguous": list(skill.ambiguous), "needs_context": skill.needs_context}))
        else:
            forms = ", ".join((*skill.aliases, *(f"{form} (in context)" for form in skill.ambiguous)))
            print(f"{skill.name}\t{skill.category}\t{forms}")
    return 0


def _load(factory):
    try:
        return factory()
    except TaxonomyError as exc:
        raise CliError(str(exc)) from exc
