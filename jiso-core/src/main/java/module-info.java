/**
 * jiso: isolated child processes for the JVM. The public API is the package
 * {@code io.jiso}; every other package is one kernel concern and internal.
 */
module io.jiso.core {
    requires io.jiso.nativegen;
    requires org.slf4j;
    requires jdk.security.auth; // the user name, for /etc/subuid

    exports io.jiso;
}
