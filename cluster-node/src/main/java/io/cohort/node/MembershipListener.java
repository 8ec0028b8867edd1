package io.cohort.node;

/**
 * Told of every view a node installs, with who joined and who left since the previous one. Called on the control
 * plane's delivery thread in view order; it must return quickly (hand work to a process or a component).
 */
@FunctionalInterface
public interface MembershipListener {
    void onViewChange(MembershipView.Change change);
}
