package io.cohort.supervisor;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The child kinds this node can run, by name. Register the same kinds on every node of a supervisor. */
public final class ChildKinds {

    private final Map<String, ChildKind> kinds = new ConcurrentHashMap<>();

    public ChildKinds register(String name, ChildKind kind) {
        Objects.requireNonNull(kind, "kind");
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a kind needs a name");
        }
        if (kinds.putIfAbsent(name, kind) != null) {
            throw new IllegalArgumentException("kind " + name + " is already registered");
        }
        return this;
    }

    public Optional<ChildKind> find(String name) {
        return Optional.ofNullable(kinds.get(name));
    }

    public boolean contains(String name) {
        return kinds.containsKey(name);
    }
}
