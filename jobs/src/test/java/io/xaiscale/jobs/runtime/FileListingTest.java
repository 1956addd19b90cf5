package io.xaiscale.jobs.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local walk lists what Hadoop's recursive listing lists: the same paths, sizes and times. */
class FileListingTest {
    @TempDir
    Path dir;

    @Test
    void theLocalWalkListsWhatHadoopsRecursiveListingLists() throws IOException {
        Files.writeString(dir.resolve("a.png"), "a");
        Files.createDirectories(dir.resolve("x/y/z"));
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("x/b.jpg"), "bb");
        Files.writeString(dir.resolve("x/y/c.txt"), "ccc");
        Files.writeString(dir.resolve("x/y/z/.hidden"), "dddd");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.toUri());
        List<String> walked = lines(FileListing.files(fs, root));
        List<String> listed = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            listed.add(f.getPath() + "|" + f.getLen() + "|" + f.getModificationTime());
        }
        listed.sort(null);
        assertEquals(4, walked.size(), walked.toString());
        assertEquals(listed, walked);
        // a file as the root is itself
        org.apache.hadoop.fs.Path file =
                new org.apache.hadoop.fs.Path(dir.resolve("x/b.jpg").toUri());
        assertEquals(
                List.of(fs.getFileStatus(file).getPath() + "|2|"
                        + fs.getFileStatus(file).getModificationTime()),
                lines(FileListing.files(fs, file)));
        assertFalse(lines(FileListing.files(
                        fs, new org.apache.hadoop.fs.Path(dir.resolve("x").toUri())))
                .isEmpty());
    }

    static List<String> lines(RemoteIterator<FileStatus> it) throws IOException {
        List<String> out = new ArrayList<>();
        while (it.hasNext()) {
            FileStatus f = it.next();
            out.add(f.getPath() + "|" + f.getLen() + "|" + f.getModificationTime());
        }
        out.sort(null);
        return out;
    }
}
