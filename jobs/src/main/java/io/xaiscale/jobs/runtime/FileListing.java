package io.xaiscale.jobs.runtime;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Every file under a folder, recursively, with its path, size and modification time. On object stores
 * and HDFS, Hadoop's recursive listing (one flat listing on S3); on the local filesystem, a walk of its
 * folders, because a listed local file's {@code LocatedFileStatus} asks a forked {@code ls -ld} for its
 * permissions (Hadoop without its native library): 2,000 files took 6 s of forks, 10^6 files would
 * take most of an hour.
 */
public final class FileListing {
    private FileListing() {}

    /** The files under {@code root} ({@code root} itself when it is a file), streamed. */
    public static RemoteIterator<FileStatus> files(FileSystem fs, Path root) throws IOException {
        if (!(fs instanceof LocalFileSystem) && !(fs instanceof RawLocalFileSystem)) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            return new RemoteIterator<>() {
                @Override
                public boolean hasNext() throws IOException {
                    return it.hasNext();
                }

                @Override
                public FileStatus next() throws IOException {
                    return it.next();
                }
            };
        }
        return new Walk(fs, fs.getFileStatus(root));
    }

    /** A depth-first walk of the local filesystem's folders, one folder's entries held at a time per level. */
    private static final class Walk implements RemoteIterator<FileStatus> {
        private final FileSystem fs;
        private final Deque<FileStatus[]> folders = new ArrayDeque<>();
        private final Deque<Integer> positions = new ArrayDeque<>();
        private FileStatus next;

        Walk(FileSystem fs, FileStatus root) throws IOException {
            this.fs = fs;
            if (root.isDirectory()) {
                enter(root.getPath());
            } else {
                next = root;
            }
        }

        private void enter(Path folder) throws IOException {
            folders.push(fs.listStatus(folder));
            positions.push(0);
        }

        @Override
        public boolean hasNext() throws IOException {
            while (next == null && !folders.isEmpty()) {
                FileStatus[] entries = folders.peek();
                int at = positions.pop();
                if (at == entries.length) {
                    folders.pop();
                    continue;
                }
                positions.push(at + 1);
                FileStatus s = entries[at];
                if (s.isDirectory()) {
                    enter(s.getPath());
                } else {
                    next = s;
                }
            }
            return next != null;
        }

        @Override
        public FileStatus next() throws IOException {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            FileStatus s = next;
            next = null;
            return s;
        }
    }
}
