"""The JVM side of the build: resolve jars by Maven coordinates, and build the project's own jar, into the
jar cache, once.

A stamp file holds the hash of the inputs (pom and profiles, or the sources), so later runs (and the
streaming job) start offline. The Maven projects live in the source checkout (glue_or_emr_jobs/);
`pulse stream`, `pulse lake maintain`, `pulse skills eval`, the local stack and the tests all build
through here.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from talent_pulse.checkout import checkout_path

STREAMING_JOB_POM = "glue_or_emr_jobs/pom.xml"
LOCAL_S3A_PROFILE = "local-s3a"
LOCAL_ICEBERG_PROFILE = "local-iceberg"
SKILL_MATCHER_DIR = "glue_or_emr_jobs/skill-matcher"
SKILL_MATCHER_JAR = "talent-pulse-skill-matcher.jar"

Log = Callable[[str], None]


class PrerequisiteMissing(RuntimeError):
    """A tool the build or the local stack needs is not installed; the message says how to install it."""


def _stamp(pom: Path, profiles: tuple[str, ...]) -> str:
    digest = hashlib.sha256(pom.read_bytes())
    digest.update(",".join(profiles).encode())
    return digest.hexdigest()


def _run_maven(command: list[str], what: str) -> None:
    if shutil.which("mvn") is None:
        raise PrerequisiteMissing("Maven not found: apt-get install -y maven (it resolves the Kafka and Spark jars)")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        errors = "\n".join(line for line in result.stdout.splitlines() if "ERROR" in line)[:2000]
        raise RuntimeError(f"Maven could not {what}; check network access to the Maven registry.\n{errors}")


def resolve_jars(pom: Path, dest: Path, profiles: tuple[str, ...] = (), log: Log = print) -> list[Path]:
    """Copy the runtime closure of ``pom`` into ``dest`` unless already done for this pom."""
    stamp_file = dest / ".resolved"
    stamp = _stamp(pom, profiles)
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        return sorted(dest.glob("*.jar"))
    log(f"resolving jars of {pom.parent.name}/{pom.name} with Maven into {dest} (first run downloads them) ...")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    command = ["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={dest}"]
    if profiles:
        command.append("-P" + ",".join(profiles))
    _run_maven(command, f"resolve {pom.name}")
    stamp_file.write_text(stamp)
    jars = sorted(dest.glob("*.jar"))
    log(f"  {len(jars)} jars, {sum(j.stat().st_size for j in jars) / 1e6:.0f} MB")
    return jars


def skill_matcher_jar(cache_dir: Path, log: Log = print) -> Path:
    """The JVM skill matcher (glue_or_emr_jobs/skill-matcher), built with Maven when its sources changed."""
    sources_dir = checkout_path(SKILL_MATCHER_DIR, "the skill matcher's Maven project")
    dest = cache_dir / "jars" / "skill-matcher"
    jar, stamp_file = dest / SKILL_MATCHER_JAR, dest / ".built"
    digest = hashlib.sha256()
    for source in sorted(sources_dir.glob("pom.xml")) + sorted((sources_dir / "src").rglob("*.java")):
        digest.update(source.relative_to(sources_dir).as_posix().encode() + b"\0" + source.read_bytes())
    if jar.exists() and stamp_file.exists() and stamp_file.read_text() == digest.hexdigest():
        return jar
    log(f"building the skill matcher jar from {SKILL_MATCHER_DIR} with Maven into {dest} ...")
    build_dir = dest / "maven-build"
    _run_maven(
        ["mvn", "-q", "-B", "-f", str(sources_dir / "pom.xml"), "package", f"-Dmatcher.build.dir={build_dir}"],
        "build the skill matcher jar",
    )
    # a new inode, so a JVM that has the previous jar open keeps reading it intact
    staged = dest / f".{SKILL_MATCHER_JAR}.tmp"
    shutil.copyfile(build_dir / SKILL_MATCHER_JAR, staged)
    staged.replace(jar)
    stamp_file.write_text(digest.hexdigest())
    return jar


def streaming_job_jars(cache_dir: Path, log: Log = print) -> list[Path]:
    """Jars for a plain pyspark install: the skill matcher, the Kafka source, s3a for the S3 emulator, and
    Iceberg with its S3FileIO and the SQLite driver of the local catalog (on EMR, its own Iceberg is used)."""
    profiles = (LOCAL_S3A_PROFILE, LOCAL_ICEBERG_PROFILE)
    pom = checkout_path(STREAMING_JOB_POM, "the streaming job's Maven project")
    connectors = resolve_jars(pom, cache_dir / "jars" / "-".join(("streaming-job", *profiles)), profiles, log=log)
    return [skill_matcher_jar(cache_dir, log=log), *connectors]
