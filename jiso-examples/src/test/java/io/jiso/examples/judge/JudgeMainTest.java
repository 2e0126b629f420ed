package io.jiso.examples.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's work (main after its usage check): a directory of submissions judged, a
 * meta line per test, then the JSON summary.
 */
@KernelTest
class JudgeMainTest {
    private static final Path PROBLEM = Path.of("src/test/resources/judge/aplusb");

    @Test
    void judgesADirectoryAndEndsWithAJsonSummary(@TempDir Path submissions) throws Exception {
        Sandboxes.assumeJudgeable(Language.C);
        Sandboxes.assumeJudgeable(Language.PYTHON);
        for (String name : new String[] {"ac.c", "re-exit-code.py", "wa-int-overflow.c"}) {
            Files.copy(PROBLEM.resolve("submissions").resolve(name), submissions.resolve(name));
        }
        Files.writeString(submissions.resolve("notes.txt"), "not a submission");
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            // what main does, with the time limits grown on a slow host
            Judge.judgeAll(
                    new Judge(PROBLEM.resolve("tests"), HostSpeed.scaled(Judge.COMPILE), HostSpeed.scaled(Judge.RUN)),
                    List.of(submissions.toString()));
        } finally {
            System.setOut(saved);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        String[] lines = printed.split("\n");
        assertTrue(
                lines[0].matches(
                        "ac\\.c 1 status:AC time:\\d+\\.\\d{3} time-wall:\\d+\\.\\d{3} cg-mem:\\d+ exitcode:0"),
                lines[0]);
        assertTrue(
                printed.contains("re-exit-code.py 1 status:RE ") && printed.contains(" exitcode:3 message:Exited with"),
                printed);
        JsonNode summary = new ObjectMapper().readTree(printed.substring(printed.indexOf("\n[") + 1));
        assertEquals(3, summary.size(), "notes.txt is no submission");
        assertEquals("ac.c", summary.get(0).get("submission").asText());
        assertEquals("AC", summary.get(0).get("verdict").asText());
        assertEquals(3, summary.get(0).get("tests").size());
        assertEquals("RE", summary.get(1).get("verdict").asText());
        assertEquals(3, summary.get(1).get("tests").get(0).get("exitCode").asInt());
        assertEquals("WA", summary.get(2).get("verdict").asText());
        assertEquals(2, summary.get(2).get("tests").size(), "judging stops at the first failed test");
        assertTrue(summary.get(0).get("tests").get(0).get("cgMemKiB").asLong() > 0);
    }
}
