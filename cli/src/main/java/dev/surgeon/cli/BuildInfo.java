package dev.surgeon.cli;

/**
 * What build of Surgeon is running, for {@code --version}, model-file provenance and reports: the version
 * from the jar manifest ({@code Implementation-Version}; "dev" when run from classes) and the git commit the
 * launcher passes as {@code -Dsurgeon.commit} ("unknown" when it could not tell, e.g. outside a checkout).
 */
final class BuildInfo {
    private BuildInfo() {
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    static String commit() {
        String c = System.getProperty("surgeon.commit");
        return c == null || c.isBlank() ? "unknown" : c.strip();
    }
}
