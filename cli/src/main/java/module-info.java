/** The {@code surgeon} command line. */
module dev.surgeon.cli {
    requires dev.surgeon.kernels;
    requires dev.surgeon.core;
    requires info.picocli;

    opens dev.surgeon.cli to info.picocli;
}
