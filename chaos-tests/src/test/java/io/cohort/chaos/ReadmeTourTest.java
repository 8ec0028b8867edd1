package io.cohort.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The quick tour of README.md, compiled and run as written: the {@code java} blocks marked {@code <!-- tour -->}
 * become one method (after the block marked {@code <!-- tour:imports -->}), compiled with the system Java compiler
 * against the test classpath and run on three real nodes in this JVM on loopback; the README's fixed ports are swapped
 * for free ones. Every other {@code java} block must be run by {@code ReadmeExamplesTest} (cluster-node), line by line.
 */
class ReadmeTourTest {

    private static final Pattern BLOCK =
            Pattern.compile("(?:<!-- (tour(?::imports)?) -->\\s*\\n)?```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:(78\\d\\d)");

    record Block(String marker, String code) {}

    @Test
    void theTourCompilesAndRunsOnThreeRealNodes() throws Exception {
        List<Block> blocks = blocks();
        String imports = blocks.stream()
                .filter(b -> "tour:imports".equals(b.marker()))
                .map(Block::code)
                .findFirst()
                .orElseThrow(() -> new AssertionError("README.md has no <!-- tour:imports --> block"));
        List<String> tour = blocks.stream()
                .filter(b -> "tour".equals(b.marker()))
                .map(Block::code)
                .toList();
        assertThat(tour).as("tour blocks in README.md").hasSizeGreaterThanOrEqualTo(4);
        String body = String.join("\n", tour);
        assertThat(body).contains("ProcessGroups", "Registry", "DistributedSupervisor");

        String source = imports + "\npublic final class ReadmeTour {\n"
                + "    public static void run() throws Exception {\n" + withFreePorts(body) + "\n    }\n}\n";
        Path out = Files.createTempDirectory("readme-tour");
        compile(source, out);

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            Method run = loader.loadClass("ReadmeTour").getMethod("run");
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> run.invoke(null));
        } finally {
            System.setOut(original);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        original.println(text);
        assertThat(text)
                .contains("orders-worker got job-1")
                .containsPattern("hello n3 from greeter-1 on n[123]")
                .containsPattern("hello again from greeter-1 on n[123]");
    }

    @Test
    void everyOtherJavaBlockIsRunByReadmeExamplesTest() throws IOException {
        String examples =
                Files.readString(root().resolve("cluster-node/src/test/java/io/cohort/node/ReadmeExamplesTest.java"));
        List<Block> others = blocks().stream().filter(b -> b.marker() == null).toList();
        for (Block block : others) {
            for (String line : block.code().lines().toList()) {
                String code = line.replaceAll("\\s*//.*$", "").trim();
                if (!code.isEmpty()) {
                    assertThat(examples)
                            .as("README line run by ReadmeExamplesTest")
                            .contains(code);
                }
            }
        }
    }

    private static List<Block> blocks() throws IOException {
        Matcher matcher = BLOCK.matcher(Files.readString(root().resolve("README.md")));
        List<Block> blocks = new ArrayList<>();
        while (matcher.find()) {
            blocks.add(new Block(matcher.group(1), matcher.group(2)));
        }
        return blocks;
    }

    /** The README's fixed loopback ports, each replaced by a port free now. */
    private static String withFreePorts(String code) throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        Matcher matcher = PORT.matcher(code);
        while (matcher.find()) {
            if (!ports.containsKey(matcher.group(1))) {
                ports.put(matcher.group(1), freePort());
            }
        }
        String result = code;
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            result = result.replace("127.0.0.1:" + port.getKey(), "127.0.0.1:" + port.getValue());
        }
        return result;
    }

    private static void compile(String source, Path out) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertThat(compiler).as("a JDK's compiler (the tests run on a JDK)").isNotNull();
        Path file = out.resolve("ReadmeTour.java");
        Files.writeString(file, source);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            boolean ok = compiler.getTask(
                            null,
                            files,
                            diagnostics,
                            List.of(
                                    "-classpath",
                                    System.getProperty("java.class.path"),
                                    "-d",
                                    out.toString(),
                                    "-proc:none"),
                            null,
                            files.getJavaFileObjects(file))
                    .call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                report.append(d.getKind())
                        .append(" line ")
                        .append(d.getLineNumber())
                        .append(": ")
                        .append(d.getMessage(Locale.ROOT))
                        .append('\n');
            }
            assertThat(ok).as("README tour compiles:\n%s\n%s", report, source).isTrue();
        }
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("chaos-tests"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no repository root above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
