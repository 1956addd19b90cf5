package io.xaiscale.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A name from data is one path segment inside its folder, whatever the data says. */
class FileNamesTest {
    @Test
    void namesFromDataStayOneSegmentInsideTheirFolder() {
        assertEquals("fmnist-loc-cnn-1-features.2", FileNames.safe("fmnist-loc-cnn-1-features.2"));
        assertEquals(".._.._etc_passwd", FileNames.safe("../../etc/passwd"));
        assertEquals("_..", FileNames.safe(".."));
        assertEquals("_.", FileNames.safe("."));
        assertEquals("_", FileNames.safe(""));
        assertEquals("a_b_c_", FileNames.safe("a b\\c\n"));
    }
}
