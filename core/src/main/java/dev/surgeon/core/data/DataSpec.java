package dev.surgeon.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The data argument of the command line, parsed without touching the disk; {@link #load} then reads or
 * generates the training and test sets. Forms:
 * <ul>
 *   <li>{@code fashion-mnist}: the Debian package's files ({@link Datasets#fashionMnist()});</li>
 *   <li>{@code idx:DIR}: a directory in the MNIST layout;</li>
 *   <li>{@code monk-1}, {@code monk-2}, {@code monk-3}: generated from the rules, training subset drawn with
 *       the load seed ({@link MonkProblems}); {@code monk-N:PATH} reads the UCI files instead, PATH being
 *       {@code monks-N.train} (its {@code .test} beside it) or the directory holding both;</li>
 *   <li>{@code xor}: the four XOR patterns (training and test set alike);</li>
 *   <li>{@code csv:FILE:label=COL[:test=FILE][:task=regression][:holdout=F]}: a numeric CSV with the label in
 *       column COL (header name or 0-based index); without {@code test=}, a seeded random fraction F (default
 *       0.2) of the rows is held out as the test set.</li>
 *   <li>{@code synthetic:NAME[:n=N][:noise=S]}: a seeded task of {@link SyntheticData} — {@code sine} (default 50
 *       points, σ 0.1), {@code robot-arm} (200, 0.05), {@code ripley} (250; no noise option) or {@code relevance}
 *       (200, 0.1) — drawn with the load seed.</li>
 * </ul>
 */
public final class DataSpec {
    /** The accepted forms, for help texts and error messages. */
    public static final String FORMS = "fashion-mnist | idx:DIR | monk-1 | monk-2 | monk-3 | monk-N:PATH-TO-monks-N.train | xor"
            + " | csv:FILE:label=COL[:test=FILE][:task=regression][:holdout=0.2]"
            + " | synthetic:sine|robot-arm|ripley|relevance[:n=N][:noise=S]";
    private static final double DEFAULT_HOLDOUT = 0.2;

    private enum Kind { FASHION_MNIST, IDX, MONK, XOR, CSV, SYNTHETIC }

    private final String text;
    private final Kind kind;
    private final Path path;
    private final int monk;
    private final Map<String, String> options;

    private DataSpec(String text, Kind kind, Path path, int monk, Map<String, String> options) {
        this.text = text;
        this.kind = kind;
        this.path = path;
        this.monk = monk;
        this.options = options;
    }

    /**
     * Parses a data argument.
     *
     * @throws IllegalArgumentException for an unknown or malformed form, listing the valid forms
     */
    public static DataSpec parse(String text) {
        String t = text.strip();
        if (t.equals("fashion-mnist")) {
            return new DataSpec(t, Kind.FASHION_MNIST, null, 0, Map.of());
        }
        if (t.equals("xor")) {
            return new DataSpec(t, Kind.XOR, null, 0, Map.of());
        }
        if (t.matches("monk-[123](:.*)?")) {
            int problem = t.charAt(5) - '0';
            String rest = t.length() > 6 ? t.substring(7) : null;
            if (rest != null && rest.isEmpty()) {
                throw invalid(text, "monk-" + problem + ": needs a path after the colon");
            }
            return new DataSpec(t, Kind.MONK, rest == null ? null : Path.of(rest), problem, Map.of());
        }
        if (t.startsWith("idx:")) {
            if (t.length() == 4) {
                throw invalid(text, "idx: needs a directory");
            }
            return new DataSpec(t, Kind.IDX, Path.of(t.substring(4)), 0, Map.of());
        }
        if (t.startsWith("csv:")) {
            return csv(text, t.substring(4));
        }
        if (t.startsWith("synthetic:")) {
            return synthetic(text, t.substring("synthetic:".length()));
        }
        throw invalid(text, "unknown data");
    }

    /** {@code FILE:key=value:…}: options are peeled from the right so that FILE may itself contain colons. */
    private static DataSpec csv(String text, String body) {
        Map<String, String> options = new LinkedHashMap<>();
        String file = body;
        while (true) {
            int colon = file.lastIndexOf(':');
            if (colon < 0) {
                break;
            }
            String option = file.substring(colon + 1);
            int eq = option.indexOf('=');
            if (eq <= 0) {
                break;
            }
            String key = option.substring(0, eq);
            if (!key.matches("label|test|task|holdout")) {
                throw invalid(text, "unknown csv option '" + key + "' (label, test, task, holdout)");
            }
            if (options.putIfAbsent(key, option.substring(eq + 1)) != null) {
                throw invalid(text, "csv option '" + key + "' given twice");
            }
            file = file.substring(0, colon);
        }
        if (file.isEmpty()) {
            throw invalid(text, "csv: needs a file");
        }
        if (!options.containsKey("label") || options.get("label").isEmpty()) {
            throw invalid(text, "csv: needs label=COL (a header name or a 0-based column index)");
        }
        String task = options.getOrDefault("task", "classification");
        if (!task.equals("classification") && !task.equals("regression")) {
            throw invalid(text, "task must be classification or regression, not '" + task + "'");
        }
        if (options.containsKey("holdout")) {
            if (options.containsKey("test")) {
                throw invalid(text, "give either test=FILE or holdout=F, not both");
            }
            double h;
            try {
                h = Double.parseDouble(options.get("holdout"));
            } catch (NumberFormatException e) {
                h = Double.NaN;
            }
            if (!(h > 0 && h < 1)) {
                throw invalid(text, "holdout must be a fraction in (0, 1), not '" + options.get("holdout") + "'");
            }
        }
        return new DataSpec(text.strip(), Kind.CSV, Path.of(file), 0, Map.copyOf(options));
    }

    /** {@code NAME[:n=N][:noise=S]}. */
    private static DataSpec synthetic(String text, String body) {
        String[] parts = body.split(":");
        String name = parts[0];
        if (!name.matches("sine|robot-arm|ripley|relevance")) {
            throw invalid(text, "unknown synthetic task '" + name + "' (sine, robot-arm, ripley, relevance)");
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("task", name);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String key = eq > 0 ? parts[i].substring(0, eq) : parts[i];
            if (!key.equals("n") && !(key.equals("noise") && !name.equals("ripley"))) {
                throw invalid(text, "unknown option '" + parts[i] + "' for synthetic:" + name + " (n=N"
                        + (name.equals("ripley") ? "" : ", noise=S") + ")");
            }
            String value = parts[i].substring(eq + 1);
            try {
                double v = Double.parseDouble(value);
                if (key.equals("n") ? !(v >= 1 && v == Math.rint(v)) : !(v >= 0 && Double.isFinite(v))) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw invalid(text, key + " must be " + (key.equals("n") ? "a whole number >= 1" : "a number >= 0")
                        + ", not '" + value + "'");
            }
            options.put(key, value);
        }
        return new DataSpec(text.strip(), Kind.SYNTHETIC, null, 0, Map.copyOf(options));
    }

    private static IllegalArgumentException invalid(String text, String problem) {
        return new IllegalArgumentException("data '" + text + "': " + problem + ". Valid forms: " + FORMS);
    }

    /** The argument as given (stripped). */
    public String text() {
        return text;
    }

    /**
     * Reads or generates the data.
     *
     * @param seed used only where data is drawn at random (generated MONK training subsets, CSV holdout);
     *             recorded in the description
     */
    public Split load(long seed) throws IOException {
        return switch (kind) {
            case FASHION_MNIST -> Datasets.fashionMnist();
            case IDX -> Datasets.mnistLayout(path, path.getFileName() == null ? path.toString() : path.getFileName().toString());
            case XOR -> new Split(XorData.dataset(), XorData.dataset(), "xor: the 4 XOR patterns (training = test)");
            case MONK -> path == null ? generatedMonk(seed) : monkFiles();
            case CSV -> csv(seed);
            case SYNTHETIC -> synthetic(seed);
        };
    }

    private Split synthetic(long seed) {
        String task = options.get("task");
        int n = options.containsKey("n") ? (int) Double.parseDouble(options.get("n")) : switch (task) {
            case "sine" -> 50;
            case "ripley" -> 250;
            default -> 200;
        };
        double noise = options.containsKey("noise") ? Double.parseDouble(options.get("noise"))
                : task.equals("robot-arm") ? 0.05 : 0.1;
        return switch (task) {
            case "sine" -> SyntheticData.sine(n, noise, seed);
            case "robot-arm" -> SyntheticData.robotArm(n, noise, seed);
            case "ripley" -> SyntheticData.ripley(n, seed);
            default -> SyntheticData.relevance(n, noise, seed);
        };
    }

    private Split generatedMonk(long seed) {
        MonkProblems.Training tr = MonkProblems.trainingSet(monk, seed);
        String noise = tr.flipped().length == 0 ? ""
                : ", labels flipped at training positions " + Arrays.toString(tr.flipped());
        return new Split(tr.data(), MonkProblems.testSet(monk), "monk-" + monk + " generated from its rules: "
                + tr.data().size() + " training examples drawn with seed " + seed + noise + "; all "
                + MonkProblems.EXAMPLES + " noise-free test examples");
    }

    private Split monkFiles() throws IOException {
        Path train = Files.isDirectory(path) ? path.resolve("monks-" + monk + ".train") : path;
        String name = train.getFileName().toString();
        if (!name.endsWith(".train")) {
            throw new IllegalArgumentException("data '" + text + "': expected a monks-" + monk + ".train file or its directory, got "
                    + path);
        }
        Path test = train.resolveSibling(name.substring(0, name.length() - ".train".length()) + ".test");
        for (Path p : new Path[]{train, test}) {
            if (!Files.isRegularFile(p)) {
                throw new DatasetNotFoundException("data '" + text + "': no file " + p + " (the UCI MONK's problems come as "
                        + "monks-N.train and monks-N.test side by side); or use 'monk-" + monk + "' to generate the data from its rules");
            }
        }
        return new Split(MonkReader.read(train), MonkReader.read(test), "monk-" + monk + " from " + train + " and " + test);
    }

    private Split csv(long seed) throws IOException {
        CsvReader reader = CsvReader.labelColumn(options.get("label"));
        if ("regression".equals(options.get("task"))) {
            reader = reader.withTask(CsvReader.Task.REGRESSION);
        }
        CsvReader.CsvData train = reader.read(path);
        String test = options.get("test");
        if (test != null) {
            CsvReader testReader = train.classes().isEmpty() ? reader : reader.withClasses(train.classes());
            CsvReader.CsvData t = testReader.read(Path.of(test));
            if (t.dataset().inputSize() != train.dataset().inputSize()) {
                throw new DataFormatException(test, "feature columns", Integer.toString(t.dataset().inputSize()),
                        path + " has " + train.dataset().inputSize());
            }
            return new Split(train.dataset(), t.dataset(), "csv " + path + " (label " + train.labelName() + ", "
                    + describeClasses(train) + "), test " + test);
        }
        double fraction = Double.parseDouble(options.getOrDefault("holdout", Double.toString(DEFAULT_HOLDOUT)));
        Dataset all = train.dataset();
        int n = all.size();
        int testSize = (int) Math.round(fraction * n);
        if (testSize < 1 || testSize >= n) {
            throw new DataFormatException(path.toString(), "rows", Integer.toString(n),
                    "too few to hold out a fraction " + fraction + " as a test set; give test=FILE");
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        int[] testIdx = Arrays.copyOf(order, testSize);
        int[] trainIdx = Arrays.copyOfRange(order, testSize, n);
        Arrays.sort(testIdx);
        Arrays.sort(trainIdx);
        return new Split(all.subset(trainIdx, all.name() + " train"), all.subset(testIdx, all.name() + " holdout"),
                "csv " + path + " (label " + train.labelName() + ", " + describeClasses(train) + "), " + testSize + " of " + n
                        + " rows held out as the test set with seed " + seed);
    }

    private static String describeClasses(CsvReader.CsvData d) {
        return d.classes().isEmpty() ? "regression" : "classes " + d.classes();
    }

    @Override
    public String toString() {
        return text;
    }
}
