package dev.surgeon.kernels;

/** Whether a triangular matrix multiplies from the left ({@code op(A)·X}) or the right ({@code X·op(A)}). */
public enum Side {
    LEFT,
    RIGHT
}
