package io.jiso.cgroup;

import io.jiso.plan.SetupFailure;
import java.nio.file.Path;

/**
 * Where the drivers write limits: one file of one leaf directory at a time.
 * {@link #KERNEL} writes the cgroup file system through {@link CgroupFs}; a
 * test gives a temporary directory laid out like a leaf and records each
 * write, since a regular file keeps only the last of several writes that the
 * kernel takes as separate commands (io.max, one line per device).
 */
interface LeafFiles {
    /** Writes value to dir/file; a failure names field, the builder's name of the limit. */
    void write(Path dir, String file, String value, String field) throws SetupFailure;

    /** Whether dir/file exists (files that only some kernels or schedulers have). */
    boolean exists(Path dir, String file);

    LeafFiles KERNEL = new LeafFiles() {
        @Override
        public void write(Path dir, String file, String value, String field) throws SetupFailure {
            CgroupFs.writeLimit(dir.resolve(file), value, field);
        }

        @Override
        public boolean exists(Path dir, String file) {
            return CgroupFs.exists(dir.resolve(file));
        }
    };
}
