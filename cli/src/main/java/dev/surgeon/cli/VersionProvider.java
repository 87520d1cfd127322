package dev.surgeon.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code surgeon --version}: the build's version and commit, and the Java runtime. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"surgeon " + BuildInfo.version() + " (commit " + BuildInfo.commit() + ") on Java " + Runtime.version()};
    }
}
