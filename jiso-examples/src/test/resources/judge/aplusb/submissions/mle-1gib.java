import java.util.ArrayList;
import java.util.List;

/** 1 GiB in 1 MiB arrays: more than the heap the JVM sizes from the sandbox's memory limit. */
public class Main {
    public static void main(String[] args) {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            chunks.add(new byte[1 << 20]);
        }
        System.out.println(chunks.size());
    }
}
