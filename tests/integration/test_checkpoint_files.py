"""Streaming checkpoint files on the S3 emulator, through the job's CheckpointFileManager (a real Spark session).

On S3 the job uploads each checkpoint file under its final name (io.talentpulse.checkpoint); these tests hold
it to what Spark's rename gives: a file appears whole or not at all, a cancelled write leaves nothing, an
existing file is never replaced unless asked, and count the S3 requests of one file beside Spark's own manager.
"""

from __future__ import annotations

import os
import uuid

import pytest
from py4j.protocol import Py4JJavaError

from talent_pulse.spark_session import DIRECT_WRITE_CHECKPOINTS, SPARK_RENAMING_CHECKPOINTS, base_conf

pytestmark = pytest.mark.integration


@pytest.fixture
def checkpoint_folder(isolated_settings) -> str:
    return f"{isolated_settings.checkpoint_uri.replace('s3://', 's3a://', 1)}/offsets"


def _manager(spark, settings, folder: str, manager_class: str = DIRECT_WRITE_CHECKPOINTS):
    """The manager Spark would make for `folder`, on a file system instance of its own (its own request counts)."""
    conf = spark._jsparkSession.sessionState().newHadoopConf()
    for key, value in base_conf(settings).items():
        if key.startswith("spark.hadoop."):
            conf.set(key.removeprefix("spark.hadoop."), value)
    conf.set("fs.s3a.impl.disable.cache", "true")
    # the session's JVM may predate the local stack's environment (a session-wide fixture)
    conf.set("fs.s3a.access.key", os.environ["AWS_ACCESS_KEY_ID"])
    conf.set("fs.s3a.secret.key", os.environ["AWS_SECRET_ACCESS_KEY"])
    conf.set("spark.sql.streaming.checkpointFileManagerClass", manager_class)
    jvm = spark._jvm
    return jvm.org.apache.spark.sql.execution.streaming.CheckpointFileManager.create(
        jvm.org.apache.hadoop.fs.Path(folder), conf
    )


def _path(spark, folder: str, name: str):
    return spark._jvm.org.apache.hadoop.fs.Path(f"{folder}/{name}")


def _write(manager, path, text: str, overwrite: bool = False) -> None:
    stream = manager.createAtomic(path, overwrite)
    stream.write(text.encode())
    stream.close()


def _read(spark, manager, path) -> str:
    stream = manager.open(path)
    try:
        return spark._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
    finally:
        stream.close()


def _requests_of_one_file(spark, manager, folder: str) -> dict[str, int]:
    """S3 requests to add one checkpoint file the way Spark's metadata log does (exists, then createAtomic)."""
    path = _path(spark, folder, str(uuid.uuid4().int % 1000))
    before = dict(manager.fs().getIOStatistics().counters())
    assert not manager.exists(path)
    _write(manager, path, "v1\n")
    after = dict(manager.fs().getIOStatistics().counters())
    return {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}


def test_a_checkpoint_file_is_one_upload_not_a_copy(isolated_settings, spark, checkpoint_folder):
    ours = _requests_of_one_file(spark, _manager(spark, isolated_settings, checkpoint_folder), checkpoint_folder)
    renaming = _manager(spark, isolated_settings, checkpoint_folder, SPARK_RENAMING_CHECKPOINTS)
    theirs = _requests_of_one_file(spark, renaming, checkpoint_folder)
    print(f"S3 requests per checkpoint file: {ours['store_io_request']} direct, {theirs['store_io_request']} renamed")
    assert ours.get("object_copy_requests", 0) == 0 and ours.get("object_delete_request", 0) == 0, ours
    assert ours["object_put_request"] == 1
    assert ours["store_io_request"] <= 4 and theirs["store_io_request"] >= 2 * ours["store_io_request"], (ours, theirs)


def test_a_file_appears_whole_on_close_and_a_cancel_leaves_nothing(spark, isolated_settings, checkpoint_folder):
    manager = _manager(spark, isolated_settings, checkpoint_folder)
    assert manager.getClass().getName() == DIRECT_WRITE_CHECKPOINTS
    path = _path(spark, checkpoint_folder, "0")
    stream = manager.createAtomic(path, False)
    stream.write(b'{"batch": 0}\n')
    assert not manager.exists(path), "visible before the upload completed"
    stream.close()
    assert _read(spark, manager, path) == '{"batch": 0}\n'

    cancelled = _path(spark, checkpoint_folder, "1")
    stream = manager.createAtomic(cancelled, False)
    stream.write(b"half a batch")
    stream.cancel()
    stream.close()  # Spark may close after cancelling: still nothing
    assert not manager.exists(cancelled)
    assert [status.getPath().getName() for status in manager.list(path.getParent())] == ["0"]


def test_an_existing_file_is_kept_unless_overwriting(spark, isolated_settings, checkpoint_folder):
    manager = _manager(spark, isolated_settings, checkpoint_folder)
    path = _path(spark, checkpoint_folder, "7")
    _write(manager, path, "first\n")
    with pytest.raises(Py4JJavaError, match="FileAlreadyExistsException"):
        _write(manager, path, "second\n")  # what Spark reports as another query writing the same checkpoint
    assert _read(spark, manager, path) == "first\n"
    _write(manager, path, "third\n", overwrite=True)  # state store files may be written again
    assert _read(spark, manager, path) == "third\n"


def test_local_checkpoints_keep_sparks_rename(spark, isolated_settings, tmp_path):
    manager = _manager(spark, isolated_settings, str(tmp_path / "offsets"))
    path = _path(spark, str(tmp_path / "offsets"), "0")
    stream = manager.createAtomic(path, False)
    assert "RenameBasedFSDataOutputStream" in stream.getClass().getName()
    stream.write(b"local\n")
    stream.close()
    assert (tmp_path / "offsets" / "0").read_text() == "local\n"
    assert [p.name for p in (tmp_path / "offsets").iterdir() if not p.name.startswith(".")] == ["0"]
