package io.talentpulse.checkpoint;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager.CancellableFSDataOutputStream;
import org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager;

/**
 * Streaming checkpoint files written straight to their final name on an object store.
 *
 * <p>Spark's default manager makes each offset, commit and state file atomic by writing a temporary file and
 * renaming it into place. On S3 a rename is a copy and a delete, and with S3A's existence checks around each
 * step one checkpoint file costs about twelve requests, twice per micro-batch. An S3 object becomes visible
 * whole when its upload completes, never in part, so writing the final name directly is already atomic: this
 * manager uploads on {@code close()} (after checking the name is still free unless overwriting) and aborts the
 * upload on {@code cancel()}, so a failed write leaves nothing behind. About four requests a file.
 *
 * <p>Only file systems whose output streams can abort an upload (S3A) take this path; any other (local disk,
 * HDFS, EMRFS) keeps Spark's rename. Named by {@code spark.sql.streaming.checkpointFileManagerClass}.
 */
public class DirectWriteCheckpointFileManager extends FileSystemBasedCheckpointFileManager {

    /** S3A's option to skip the directory probes of create(): the name is a checkpoint file, never a folder. */
    static final String CREATE_PERFORMANCE = "fs.s3a.create.performance";

    public DirectWriteCheckpointFileManager(Path path, Configuration hadoopConf) {
        super(path, hadoopConf);
    }

    @Override
    public CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
        try {
            if (!fs().hasPathCapability(path, CommonPathCapabilities.ABORTABLE_STREAM)) {
                return super.createAtomic(path, overwriteIfPossible);
            }
            FSDataOutputStreamBuilder<?, ?> builder = fs().createFile(path).overwrite(true);
            builder.opt(CREATE_PERFORMANCE, true);
            FSDataOutputStream upload = (FSDataOutputStream) builder.build();
            return new DirectUpload(upload, fs(), path, overwriteIfPossible);
        } catch (IOException failure) {
            throw Unchecked.<RuntimeException>rethrow(failure);
        }
    }

    /** The upload of one checkpoint file: completed by close(), abandoned by cancel(). */
    static final class DirectUpload extends CancellableFSDataOutputStream {
        private final FSDataOutputStream upload;
        private final FileSystem fs;
        private final Path path;
        private final boolean overwrite;
        private boolean finished;

        DirectUpload(FSDataOutputStream upload, FileSystem fs, Path path, boolean overwrite) {
            super(upload);
            this.upload = upload;
            this.fs = fs;
            this.path = path;
            this.overwrite = overwrite;
        }

        @Override
        public void cancel() {
            if (!finished) {
                finished = true;
                upload.abort();
            }
        }

        @Override
        public void close() throws IOException {
            if (finished) {
                return;
            }
            if (!overwrite && fs.isFile(path)) {
                cancel();
                // What the rename would have raised: Spark reports another query writing the same checkpoint.
                throw new FileAlreadyExistsException(path + " already exists");
            }
            finished = true;
            super.close();
        }
    }

    /** Rethrows a checked exception from a method whose Scala-declared signature names none. */
    static final class Unchecked {
        private Unchecked() { }

        @SuppressWarnings("unchecked")
        static <E extends Throwable> E rethrow(Throwable failure) throws E {
            throw (E) failure;
        }
    }
}
