package io.cohort.node.jgroups;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.ViewId;
import io.cohort.node.jgroups.IdentityAddress.Identity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.View;

/**
 * A JGroups view in Cohort's terms: the {@link MembershipView} plus the two lookups the control plane needs while
 * that view is current (address to identity for receiving, node to address for sending).
 *
 * <p>Everything is read from the view's addresses ({@link IdentityAddress}); a member whose address is not a Cohort
 * address (another JGroups application using the same cluster name) is left out and reported, since it could never
 * be addressed anyway.
 */
record ViewTranslation(MembershipView view, Map<Address, Identity> byAddress, Map<NodeId, Address> byNode) {

    ViewTranslation {
        byAddress = Map.copyOf(byAddress);
        byNode = Map.copyOf(byNode);
    }

    /** Translates {@code jgroupsView}, handing members that carry no Cohort identity to {@code foreign}. */
    static ViewTranslation of(View jgroupsView, Consumer<Address> foreign) {
        Map<Address, Identity> byAddress = new LinkedHashMap<>();
        Map<NodeId, Address> byNode = new LinkedHashMap<>();
        List<NodeId> members = new ArrayList<>();
        for (Address address : jgroupsView.getMembers()) {
            Optional<Identity> identity = IdentityAddress.decode(address);
            if (identity.isEmpty() || byNode.containsKey(identity.get().node())) {
                foreign.accept(address);
                continue;
            }
            byAddress.put(address, identity.get());
            byNode.put(identity.get().node(), address);
            members.add(identity.get().node());
        }
        if (members.isEmpty()) {
            throw new IllegalStateException("view without any Cohort member: " + jgroupsView);
        }
        NodeId creator = IdentityAddress.decode(jgroupsView.getCreator())
                .map(Identity::node)
                .orElse(members.get(0));
        ViewId id = new ViewId(creator, jgroupsView.getViewId().getId());
        List<List<NodeId>> subgroups = new ArrayList<>();
        if (jgroupsView instanceof MergeView merge) {
            for (View subgroup : merge.getSubgroups()) {
                List<NodeId> side = new ArrayList<>();
                for (Address address : subgroup.getMembers()) {
                    IdentityAddress.decode(address).map(Identity::node).ifPresent(side::add);
                }
                subgroups.add(side);
            }
        }
        return new ViewTranslation(new MembershipView(id, members, subgroups), byAddress, byNode);
    }
}
