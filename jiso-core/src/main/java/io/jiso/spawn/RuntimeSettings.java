package io.jiso.spawn;

import io.jiso.cgroup.Cgroups;
import io.jiso.net.NetworkNamespacePool;

/**
 * A runtime's configuration as data, checked by its public builder before it
 * gets here.
 *
 * @param cgroupParent the parent cgroup of the leaves inside each hierarchy ("/a/b"), or null for the default
 * @param deviceControl how leaves restrict devices: "bpf", "v1", or null to choose by the host's layout
 * @param reuseNetworkNamespaces whether pooled network namespaces that show no trace of use are reused
 * @param rootTemplates whether a root JVM copies fresh roots from templates
 */
public record RuntimeSettings(String cgroupParent, String deviceControl, boolean reuseNetworkNamespaces,
                              boolean rootTemplates) {
    /** The default runtime's settings: the system properties, where set. */
    public static RuntimeSettings fromSystemProperties() {
        return new RuntimeSettings(System.getProperty(Cgroups.PARENT_PROPERTY),
                System.getProperty(Cgroups.DEVICES_PROPERTY),
                Boolean.parseBoolean(System.getProperty(NetworkNamespacePool.REUSE_PROPERTY, "true")),
                Boolean.parseBoolean(System.getProperty(RootTemplates.PROPERTY, "true")));
    }
}
