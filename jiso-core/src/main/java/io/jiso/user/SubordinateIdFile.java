package io.jiso.user;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * /etc/subuid and /etc/subgid: lines "owner:start:count" that let a user map
 * count ids from start into its user namespaces (through newuidmap and
 * newgidmap). The owner is a user name or a numeric uid; a user may have
 * several ranges. Read the way newuidmap reads them, so that what jiso decides
 * up front is what the helper will allow; a line it cannot read is skipped and
 * the reason logged.
 */
final class SubordinateIdFile {
    private SubordinateIdFile() {}

    private static final Logger LOG = LoggerFactory.getLogger(SubordinateIdFile.class);
    private static final long MAX_ID = 0xFFFF_FFFEL; // (uid_t) -1 is never a valid id

    /** ids start .. start + count - 1 of the host. */
    record Range(long start, long count) {
        long end() {
            return start + count;
        }

        @Override
        public String toString() {
            return start + "-" + (end() - 1);
        }
    }

    /** The ranges of the user (by name, or by uid), in file order; none if the file does not exist. */
    static List<Range> rangesOf(Path file, String userName, long uid) throws IOException {
        try {
            return rangesOf(Files.readString(file), file.toString(), userName, uid);
        } catch (NoSuchFileException absent) {
            return List.of();
        }
    }

    static List<Range> rangesOf(String content, String fileName, String userName, long uid) {
        List<Range> ranges = new ArrayList<>();
        List<String> lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(":", -1);
            String problem = problemWith(fields);
            if (problem != null) {
                LOG.debug("{} line {} ignored: {}: \"{}\"", fileName, i + 1, problem, line);
            } else if (fields[0].equals(userName) || isUid(fields[0], uid)) {
                ranges.add(new Range(Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            }
        }
        return ranges;
    }

    /** Why a line is unusable, or null. */
    private static String problemWith(String[] fields) {
        if (fields.length != 3) {
            return "not owner:start:count";
        }
        if (fields[0].isEmpty()) {
            return "no owner";
        }
        if (!isNumber(fields[1]) || !isNumber(fields[2])) {
            return "start and count must be decimal numbers";
        }
        long start = Long.parseLong(fields[1]);
        long count = Long.parseLong(fields[2]);
        if (count < 1 || start > MAX_ID || count > MAX_ID + 1 - start) {
            return "the range must hold at least one id and end by " + MAX_ID;
        }
        return null;
    }

    private static boolean isUid(String owner, long uid) {
        return isNumber(owner) && Long.parseLong(owner) == uid;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() <= 10 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
