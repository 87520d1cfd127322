/** The {@code surgeon} command line. */
module dev.surgeon.cli {
    requires dev.surgeon.kernels;
    requires dev.surgeon.core;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires java.desktop;
    requires org.jfree.jfreechart;
    requires org.jfree.svg;

    opens dev.surgeon.cli to info.picocli, com.fasterxml.jackson.databind;
}
