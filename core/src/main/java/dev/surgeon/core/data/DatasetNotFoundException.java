package dev.surgeon.core.data;

import java.io.IOException;

/** A dataset that is not installed where it was looked for; the message says how to install or point to it. */
public final class DatasetNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public DatasetNotFoundException(String message) {
        super(message);
    }
}
