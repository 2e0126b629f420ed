package io.jiso;

/** What a fresh root's /etc is (see {@link IsolatedProcessBuilder#etc(Etc)}). */
public enum Etc {
    /** The host's /etc, bound read-only (the default). */
    HOST,
    /**
     * An /etc jiso writes, with no file of the host's: passwd and group with
     * root and nobody, hosts with localhost, nsswitch.conf reading files; no
     * hostname, machine-id, shadow or host keys. Bound read-only beside it, if
     * the host has them: /etc/alternatives (symbolic links naming installed
     * programs, which /usr/bin's alternatives point into) and /etc/java-*
     * (the configuration Debian's JDK packages keep out of /usr).
     */
    MINIMAL
}
