"""The Spark path (`with_skills`, the JVM matcher) agrees with the pure-Python matcher, in batch and in foreachBatch."""

from __future__ import annotations

import importlib.util
import math
import random
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F

from talent_pulse.jvm_build import skill_matcher_jar
from talent_pulse.settings import Settings
from talent_pulse.skills import default_matcher, load_taxonomy
from talent_pulse.skills.spark import with_skills
from talent_pulse.stream.jvm import JobJarMissing

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[1]
CASES = [
    *yaml.safe_load((TESTS / "unit" / "skill_cases.yaml").read_text("utf-8")),
    *yaml.safe_load((TESTS / "unit" / "skill_postings.yaml").read_text("utf-8")),
]


def _module(path: Path):
    """A test or bench module by path (one definition of the texts it builds)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _synthetic_postings(count: int) -> list[dict]:
    """The benchmark's seeded generator (one definition of the synthetic postings)."""
    return _module(TESTS / "bench" / "bench_skills.py").synthetic_postings(count, seed=20261129)


def _spark_skills(spark, rows: list[tuple], text_cols=("title", "description")) -> dict:
    df = spark.createDataFrame(rows, "id long, title string, description string")
    return {row["id"]: list(row["skills"]) for row in with_skills(df, text_cols).select("id", "skills").collect()}


def test_labelled_cases_agree_with_python(spark):
    """Every labelled snippet and posting: the JVM gives Python's answer (the snippets' labels are exact)."""
    rows = [(index, None, case["text"]) for index, case in enumerate(CASES)]
    got = _spark_skills(spark, rows)
    python = default_matcher().extract_many([case["text"] for case in CASES])
    assert [got[index] for index in range(len(CASES))] == python
    snippets = [index for index, case in enumerate(CASES) if "rule" in case]
    assert [got[index] for index in snippets] == [sorted(CASES[index]["skills"]) for index in snippets]


def test_title_and_description_are_joined_like_python_callers(spark):
    rows = [
        (1, "Go Developer", "Kubernetes"),
        (2, None, None),
        (3, "Senior Engineer", None),
        (4, None, "Rust and Go"),
        (5, "Sous Chef", "Spark joy"),
    ]
    matcher = default_matcher()
    expected = {row[0]: matcher.extract("\n".join(part for part in row[1:] if part is not None)) for row in rows}
    got = _spark_skills(spark, rows)
    assert got == expected
    assert got[1] == ["Go", "Kubernetes"] and got[2] == [] and got[5] == []


def test_ten_thousand_generated_postings_agree(spark):
    postings = _synthetic_postings(10_000)
    rows = [(p["id"], p["title"], p["description"]) for p in postings]
    got = _spark_skills(spark, rows)
    matcher = default_matcher()
    python = matcher.extract_many([p["title"] + "\n" + p["description"] for p in postings])
    mismatches = [p["id"] for p, skills in zip(postings, python, strict=True) if got[p["id"]] != skills]
    assert mismatches == []
    missed = [p["id"] for p, skills in zip(postings, python, strict=True) if not set(p["expected"]) <= set(skills)]
    assert missed == []
    assert sum(map(len, python)) > 10_000  # the generated postings do carry skills


def test_output_column_type_and_custom_columns(spark):
    df = spark.createDataFrame([("a", "Terraform on AWS")], "job string, body string")
    out = with_skills(df, text_cols=("body",), out_col="tech")
    assert out.schema["tech"].dataType.simpleString() == "array<string>"
    assert out.select("tech").first()["tech"] == ["AWS", "Terraform"]
    with pytest.raises(
        ValueError,
        match=r"column\(s\) \['title', 'description'\] not in the DataFrame "
        r"\(has \['job', 'body'\]\)",
    ):
        with_skills(df)


def test_with_skills_inside_foreach_batch(spark, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    for index, text in enumerate(["Python and Kafka", "Registered nurse", "C# .NET 8"]):
        (source / f"{index}.json").write_text(f'{{"id": {index}, "title": "Engineer", "description": "{text}"}}\n')
    collected: list = []

    def sink(batch_df, batch_id):
        collected.extend(with_skills(batch_df).select("id", "skills").collect())

    stream = (
        spark.readStream.schema("id long, title string, description string")
        .json(str(source))
        .writeStream.foreachBatch(sink)
        .option("checkpointLocation", str(tmp_path / "ckpt"))
        .trigger(availableNow=True)
        .start()
    )
    stream.awaitTermination(120)
    assert stream.exception() is None
    assert sorted((row["id"], list(row["skills"])) for row in collected) == [
        (0, ["Apache Kafka", "Python"]),
        (1, []),
        (2, [".NET", "C#"]),
    ]


def test_groupby_location_skill_counts_match_python(spark):
    postings = _synthetic_postings(2_000)
    df = spark.createDataFrame(
        [(p["id"], p["title"], p["description"], p["location"]) for p in postings],
        "id long, title string, description string, location string",
    )
    counted = {
        (row["location"], row["skill"]): row["count"]
        for row in with_skills(df)
        .select("location", F.explode("skills").alias("skill"))
        .groupBy("location", "skill")
        .count()
        .collect()
    }
    expected: dict = {}
    for p in postings:
        for skill in default_matcher().extract(p["title"] + "\n" + p["description"]):
            expected[(p["location"], skill)] = expected.get((p["location"], skill), 0) + 1
    assert counted == expected


def _adversarial_texts(count: int, seed: int = 11) -> list[str]:
    """Texts built to hit every tokenizer and rule edge: every surface form in three cases, the rule words,
    versions, glued digits and suffixes, hashtags, sentence ends, brackets, non-ASCII and odd whitespace."""
    rng = random.Random(seed)
    taxonomy = load_taxonomy()
    forms = [form for skill in taxonomy.skills for form in (skill.name, *skill.aliases, *skill.ambiguous)]
    rule_words = [
        word for skill in taxonomy.skills for word in (*skill.context, *skill.not_followed_by, *skill.not_preceded_by)
    ]
    rule_words += sorted(taxonomy.context_words)
    extras = [
        "3.11",
        "v2",
        "17",
        "8.x",
        "1.22",
        "2024",
        "-based",
        "-native",
        "3",
        "x",
        "v",
        "and",
        "the",
        "to",
        ".",
        ",",
        ";",
        ":",
        "(",
        ")",
        "[",
        "]",
        "/",
        "|",
        "!",
        "?",
        "#",
        "##",
        "&",
        "+",
        "-",
        "--",
        "...",
        "é",
        "—",
        "\u00a0",
        "日本",
        "\U0001f680",
        "\t",
        "\n",
        "  ",
        "'",
        '"',
    ]
    glue = ["", "", "", " ", " ", " ", "\n", ". ", ", ", "/", "#", "-", "(", ") ", "!", "3", "-based ", ".x "]
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 40)):
            pool = rng.choice((forms, forms, rule_words, extras))
            word = rng.choice(pool)
            word = rng.choice((word, word, word.upper(), word.lower(), word.title()))
            parts.append(word + rng.choice(glue))
        texts.append("".join(parts))
    return texts


def test_adversarial_texts_agree(spark):
    texts = _adversarial_texts(20_000)
    got = _spark_skills(spark, [(index, None, text) for index, text in enumerate(texts)])
    python = default_matcher().extract_many(texts)
    mismatches = [
        (texts[index], python[index], got[index]) for index in range(len(texts)) if got[index] != python[index]
    ]
    assert mismatches[:5] == [] and len(mismatches) == 0
    assert sum(map(len, python)) > 20_000  # the texts do carry skills


def test_jvm_matcher_refuses_tables_from_another_release(spark):
    from pyspark.errors import IllegalArgumentException

    matcher_class = spark.sparkContext._jvm.io.talentpulse.skills.SkillMatcher
    with pytest.raises(IllegalArgumentException, match="skill tables must start with 'talent-pulse-skill-tables 2'"):
        matcher_class("talent-pulse-skill-tables\t0\n")
    newer = default_matcher().compiled_tables() + "synonym\tk8s\t1\n"
    with pytest.raises(
        IllegalArgumentException, match="unknown record 'synonym'; the jar and the Python package are from"
    ):
        matcher_class(newer)


def test_session_without_the_jar_fails_with_what_to_do(tmp_path):
    import subprocess
    import sys

    script = (
        "from pyspark.sql import SparkSession\n"
        "from talent_pulse.skills.spark import with_skills\n"
        "spark = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false')"
        ".config('spark.driver.bindAddress', '127.0.0.1').config('spark.driver.host', '127.0.0.1').getOrCreate()\n"
        "df = spark.createDataFrame([('Python',)], 'description string')\n"
        "try:\n"
        "    with_skills(df, text_cols=('description',))\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "spark.stop()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert JobJarMissing.__name__ in result.stdout
    assert "make jars" in result.stdout and "--jars" in result.stdout


def test_jvm_matcher_time_per_kb_on_worst_case_texts_is_bounded(tmp_path):
    """Issue 12 item 2 for the JVM: each worst-case text costs at most 20x ordinary postings per KB."""
    linear = _module(TESTS / "unit" / "test_skills_linear.py")
    groups = {
        "postings": linear.ordinary_postings(),
        **{label: [text] for label, text in linear.worst_case_texts().items()},
    }
    tables = tmp_path / "tables.txt"
    tables.write_text(default_matcher().compiled_tables(), "utf-8")
    files = []
    for number, texts in enumerate(groups.values()):
        files.append(tmp_path / f"{number}.txt")
        files[-1].write_text("\0".join(texts), "utf-8")
    jar = skill_matcher_jar(Path(Settings.from_env().cache_dir))
    ratios = dict.fromkeys(groups, math.inf)
    for _ in range(2):  # two JVMs: one may compile a hot method worse than the other; the better one counts
        result = subprocess.run(
            [
                "java",
                "-cp",
                str(jar),
                str(Path(__file__).with_name("SkillMatcherTiming.java")),
                str(tables),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        per_kb = dict(zip(groups, (int(line.split("\t")[1]) for line in result.stdout.splitlines()), strict=True))
        ratios = {label: min(ratios[label], round(nanos / per_kb["postings"], 1)) for label, nanos in per_kb.items()}
    print("JVM time per KB / ordinary postings:", ratios)
    assert len(ratios) == len(groups)
    assert {label: ratio for label, ratio in ratios.items() if ratio > linear.MAX_RATIO} == {}


def _fuzz_texts():
    """Random unicode text, mixed with the taxonomy's forms and rule words and the characters that
    normalisation and tokenizing treat specially."""
    taxonomy = load_taxonomy()
    forms = sorted({form for skill in taxonomy.skills for form in (skill.name, *skill.aliases, *skill.ambiguous)})
    rule_words = sorted(
        taxonomy.context_words
        | {
            word
            for skill in taxonomy.skills
            for word in (*skill.context, *skill.not_followed_by, *skill.not_preceded_by, *skill.negative_context)
        }
    )
    specials = [
        "\u00ad",
        "\u200b",
        "\ufeff",
        "\u2060",
        "\u202e",
        "\u2026",
        "Ｐｙｔｈｏｎ",
        "ｇｏ",
        "𝐑",
        "\u00b2",
        "\ufb01",
        "&",
        "+",
        "#",
        ".",
        ",",
        "/",
        "-",
        "3.11",
        "v2",
        "17",
        "\n",
        "\t",
        "\u00a0",
        "\x00",
    ]
    form = st.sampled_from(forms).flatmap(
        lambda word: st.sampled_from([word, word.upper(), word.lower(), word.title()])
    )
    piece = st.one_of(form, st.sampled_from(rule_words), st.sampled_from(specials), st.text(max_size=8))
    joiner = st.sampled_from(["", " ", " ", ", ", ". ", "/", "&", "+", "-", "\u00ad", "\u200b", "\n", "-based "])
    return st.lists(st.tuples(piece, joiner).map("".join), max_size=30).map("".join)


def test_fuzz_jvm_and_python_agree_on_random_unicode_text(spark):
    """Issue 12: bounded Hypothesis fuzz over both matchers; neither raises, and they agree."""
    python = default_matcher()
    jvm = spark.sparkContext._jvm.io.talentpulse.skills.SkillMatcher(python.compiled_tables())
    names = {skill.name for skill in load_taxonomy().skills}

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_fuzz_texts(), min_size=1, max_size=10))
    def agree(texts):
        for text in texts:
            expected = python.extract(text)
            assert expected == sorted(set(expected)) and set(expected) <= names
            assert list(jvm.extract(text)) == expected, text

    agree()
