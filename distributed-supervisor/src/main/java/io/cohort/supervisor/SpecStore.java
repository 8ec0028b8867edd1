package io.cohort.supervisor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a durable supervisor keeps its specs ({@link SupervisorServer#durable}), so that a restart of the whole
 * cluster brings its children back. The replica saves the whole spec map, with the context of what it has seen
 * removed, a short while after each change ({@link SupervisorServer#PERSIST_DELAY_NS}) and when the node stops; it
 * loads it once, when the node starts.
 *
 * <p>Calls come from the replica's own turn, one at a time.
 */
public interface SpecStore {

    /** The state saved last, or null when nothing was saved. */
    byte[] load();

    /** Replaces the saved state; returns once it is durable (a crash after this call keeps it). */
    void save(byte[] state);

    /** Keeps the saved state, which could not be read, where the next save does not overwrite it. */
    void setAside();

    /**
     * A file {@code <supervisor>.specs} in {@code directory} (created when missing). A save writes a temporary file,
     * forces it to disk and renames it over the old one, so a crash mid-save leaves the previous state.
     */
    static SpecStore inDirectory(Path directory, String supervisor) {
        return new FileStore(directory, supervisor);
    }

    /** A store in memory: survives a simulated node's restart when the same instance is given to the next one. */
    static SpecStore inMemory() {
        AtomicReference<byte[]> saved = new AtomicReference<>();
        return new SpecStore() {
            @Override
            public byte[] load() {
                byte[] state = saved.get();
                return state == null ? null : state.clone();
            }

            @Override
            public void save(byte[] state) {
                saved.set(state.clone());
            }

            @Override
            public void setAside() {
                saved.set(null);
            }
        };
    }

    /** {@link #inDirectory}. */
    final class FileStore implements SpecStore {
        private final Path file;
        private final Path temporary;

        FileStore(Path directory, String supervisor) {
            if (supervisor.isEmpty() || supervisor.contains("/") || supervisor.contains("\\")) {
                throw new IllegalArgumentException("supervisor name is not a file name: " + supervisor);
            }
            this.file = directory.resolve(supervisor + ".specs");
            this.temporary = directory.resolve(supervisor + ".specs.tmp");
        }

        @Override
        public byte[] load() {
            try {
                return Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        @Override
        public void save(byte[] state) {
            try {
                Files.createDirectories(file.getParent());
                try (FileChannel channel = FileChannel.open(
                        temporary,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(state);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                try {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save " + file, e);
            }
        }

        @Override
        public void setAside() {
            try {
                Files.move(
                        file,
                        file.resolveSibling(file.getFileName() + ".unreadable"),
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set " + file + " aside", e);
            }
        }
    }
}
