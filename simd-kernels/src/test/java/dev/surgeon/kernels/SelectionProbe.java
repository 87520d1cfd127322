package dev.surgeon.kernels;

/**
 * Main class run in a child JVM by {@link ProviderSelectionTest}: prints what {@link Kernels#get()} does in
 * a JVM started with the flags under test, twice (the second call must behave like the first: a failed
 * selection is not cached as a broken class).
 */
public final class SelectionProbe {
    private SelectionProbe() {
    }

    public static void main(String[] args) {
        for (int call = 1; call <= 2; call++) {
            try {
                Kernels k = Kernels.get();
                System.out.println("get " + call + ": " + k.name() + " threads=" + k.threads());
            } catch (RuntimeException | Error e) {
                System.out.println("get " + call + ": " + e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }
}
