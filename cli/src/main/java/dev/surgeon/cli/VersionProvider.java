package dev.surgeon.cli;

import picocli.CommandLine.IVersionProvider;

/** Version string from the jar manifest (or "dev" when run from classes). */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"surgeon " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
    }
}
