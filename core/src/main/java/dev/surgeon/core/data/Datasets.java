package dev.surgeon.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Locating installed datasets. Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, "Fashion-MNIST: a novel image
 * dataset for benchmarking machine learning algorithms") comes with the Debian package
 * {@code dataset-fashion-mnist} in {@value #FASHION_MNIST_PATH}; any directory in the MNIST layout
 * ({@code {train,t10k}-{images-idx3,labels-idx1}-ubyte}, gzip-compressed or not) works too.
 */
public final class Datasets {
    /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
    public static final String FASHION_MNIST_PATH = "/usr/share/datasets/fashion-mnist";
    /** Fashion-MNIST class names, class k at index k. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String[] MNIST_FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private Datasets() {
    }

    /**
     * Fashion-MNIST from {@value #FASHION_MNIST_PATH}: 60000 training and 10000 test images of shape
     * [1, 28, 28] with intensities in [0, 1], 10 classes.
     *
     * @throws DatasetNotFoundException naming the package to install, or the {@code idx:DIR} alternative
     */
    public static Split fashionMnist() throws IOException {
        return fashionMnist(Path.of(FASHION_MNIST_PATH));
    }

    /** Fashion-MNIST (or any dataset in the MNIST layout) from a directory. */
    public static Split fashionMnist(Path dir) throws IOException {
        return mnistLayout(dir, "fashion-mnist");
    }

    /**
     * A dataset in the MNIST layout: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
     * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each optionally with {@code .gz}.
     */
    public static Split mnistLayout(Path dir, String name) throws IOException {
        Path[] files = new Path[MNIST_FILES.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            files[i] = find(dir, MNIST_FILES[i]);
            if (files[i] == null) {
                missing.add(MNIST_FILES[i] + "[.gz]");
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetNotFoundException(name + ": " + (Files.isDirectory(dir) ? "missing " + missing + " in " + dir
                    : "no directory " + dir) + ". Install Fashion-MNIST with 'apt-get install dataset-fashion-mnist' (it lands in "
                    + FASHION_MNIST_PATH + "), or give a directory in the MNIST layout as 'idx:DIR'.");
        }
        Dataset train = IdxReader.readDataset(name + " train", files[0], files[1], 0);
        Dataset test = IdxReader.readDataset(name + " test", files[2], files[3], train.numClasses());
        return new Split(train, test, name + " from " + dir + " (" + train.size() + " training, " + test.size() + " test images)");
    }

    private static Path find(Path dir, String base) {
        for (String candidate : new String[]{base + ".gz", base}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
