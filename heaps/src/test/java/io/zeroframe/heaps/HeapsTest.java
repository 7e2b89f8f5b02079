package io.zeroframe.heaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zeroframe.bindings.testing.NoLeaks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
class HeapsTest {
    @Test
    void listsNodesSortedByNameWithAccess(@TempDir Path directory) throws Exception {
        Files.createFile(directory.resolve("system"));
        Files.createFile(directory.resolve("linux,cma"));
        List<HeapInfo> heaps = Heaps.list(directory);
        assertEquals(List.of("linux,cma", "system"), heaps.stream().map(HeapInfo::name).toList());
        assertEquals(directory.resolve("system"), heaps.get(1).path());
        assertTrue(heaps.get(1).accessible());
    }

    @Test
    void aMissingDirectoryMeansNoHeaps(@TempDir Path directory) throws Exception {
        assertEquals(List.of(), Heaps.list(directory.resolve("dma_heap")));
    }
}
