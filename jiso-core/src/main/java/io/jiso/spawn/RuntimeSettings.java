package io.jiso.spawn;

import io.jiso.cgroup.Cgroups;
import io.jiso.cgroup.LeafSite;
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
public record RuntimeSettings(
        String cgroupParent, String deviceControl, boolean reuseNetworkNamespaces, boolean rootTemplates) {
    /**
     * The default runtime's settings: the system properties, where set; the cgroup ones as the
     * default cgroup site read them ({@link Cgroups#defaultSite()}).
     */
    static RuntimeSettings fromSystemProperties() {
        LeafSite site = Cgroups.defaultSite();
        return new RuntimeSettings(
                site.parent(),
                site.deviceSetting(),
                Boolean.parseBoolean(System.getProperty(NetworkNamespacePool.REUSE_PROPERTY, "true")),
                Boolean.parseBoolean(System.getProperty(RootTemplates.PROPERTY, "true")));
    }
}
