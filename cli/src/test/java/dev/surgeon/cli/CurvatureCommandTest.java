package dev.surgeon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.surgeon.core.curvature.Curvature;
import dev.surgeon.core.curvature.DataSource;
import dev.surgeon.core.curvature.Damping;
import dev.surgeon.core.data.XorData;
import dev.surgeon.core.io.ModelFile;
import dev.surgeon.core.io.SavedModel;
import dev.surgeon.core.nn.Loss;
import dev.surgeon.kernels.Kernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code surgeon curvature} on a trained XOR net against the eigenvalues of its dense Hessian. */
class CurvatureCommandTest {
    @TempDir
    static Path dir;
    static Path model;
    /** Eigenvalues of the dense 9 × 9 Hessian, ascending (cyclic Jacobi below, independent of the kernels' syev). */
    static double[] exact;
    /** The dense Hessian, row-major. */
    static double[] hessian;

    @BeforeAll
    static void trainXorAndFormItsDenseHessian() throws Exception {
        model = dir.resolve("xor.safetensors");
        Cli.Result r = Cli.run("train", "--data", "xor", "--epochs", "500", "--seed", "2", "--out", model.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        SavedModel saved = ModelFile.read(model, Kernels.get());
        Loss loss = Loss.named(saved.provenance().entries().get("surgeon.train.loss"));
        hessian = Curvature.of(saved.network(), loss, DataSource.all(XorData.dataset(), 4)).denseHessian(Damping.none())
                .toDense();
        exact = jacobiEigenvalues(hessian, saved.network().parameterCount());
    }

    @Test
    void theTopEigenvalueAndTheLanczosRangeMatchTheDenseHessian() throws Exception {
        Path report = dir.resolve("spectrum.json");
        Cli.Result r = Cli.run("curvature", "--model", model.toString(), "--data", "xor", "--top-eigenvalues", "1", "--trace",
                "--density", "--lanczos-steps", "9", "--report", report.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        assertTrue(r.out().contains("λ1 = ") && r.out().contains("trace (Hutchinson"), r.out());
        JsonNode json = ReportWriter.JSON.readTree(report.toFile());
        double top = json.get("eigenvalues").get(0).get("value").asDouble();
        double largest = Math.abs(exact[0]) > Math.abs(exact[exact.length - 1]) ? exact[0] : exact[exact.length - 1];
        // Power iteration stops at a relative change of 1e-3 per iteration; the Rayleigh quotient is then within about
        // that of the eigenvalue unless the gap to the next is tiny: 2e-2 leaves room for a slow but converged run.
        assertEquals(largest, top, 2e-2 * Math.abs(largest), r.out() + Arrays.toString(exact));
        // With d = 9 Lanczos steps from a generic start the Ritz values are the eigenvalues (up to rounding of the
        // float network products, ~1e-6 relative): the density's range is the exact extreme eigenvalues.
        double scale = Math.max(Math.abs(exact[0]), Math.abs(exact[exact.length - 1]));
        assertEquals(exact[0], json.get("density").get("min").asDouble(), 1e-4 * scale);
        assertEquals(exact[exact.length - 1], json.get("density").get("max").asDouble(), 1e-4 * scale);
        // Hutchinson: each Rademacher probe has variance 2 Σ_{i≠j} H_ij² (METHODS A10); the mean of P probes is within
        // 4 standard deviations of tr(H) except with probability < 1e-4 (and the seed is fixed).
        int n = exact.length;
        double offDiagonal = 0;
        double exactTrace = 0;
        for (int i = 0; i < n; i++) {
            exactTrace += hessian[i * n + i];
            for (int j = 0; j < n; j++) {
                offDiagonal += i == j ? 0 : hessian[i * n + j] * hessian[i * n + j];
            }
        }
        int probes = json.get("trace").get("probes").asInt();
        assertEquals(exactTrace, json.get("trace").get("value").asDouble(), 4 * Math.sqrt(2 * offDiagonal / probes) + 1e-6 * scale);
    }

    @Test
    void aMarkdownReportGetsTheDensityChartBesideIt() throws Exception {
        Path report = dir.resolve("spectrum.md");
        Cli.Result r = Cli.run("curvature", "--model", model.toString(), "--data", "xor", "--top-eigenvalues", "2",
                "--eigen-method", "lanczos", "--density", "--report", report.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.toString());
        Path chart = dir.resolve("spectrum.density.svg");
        assertTrue(Files.readString(chart).contains("<svg"), "an SVG chart");
        assertTrue(Files.readString(report).contains("![spectrum.density.svg](spectrum.density.svg)"));
        // Lanczos with 9 steps is exact: the largest Ritz value is the largest eigenvalue.
        double lambda1 = Double.parseDouble(r.out().replaceAll("(?s).*λ1 = (\\S+).*", "$1"));
        assertEquals(exact[exact.length - 1], lambda1, 1e-4 * Math.abs(exact[exact.length - 1]), r.out());
    }

    @Test
    void usageMistakesAreOneLineUsageErrors() {
        for (String[] args : new String[][] {
                {"curvature", "--model", model.toString(), "--data", "xor", "--top-eigenvalues", "0"},
                {"curvature", "--model", model.toString(), "--data", "xor", "--operator", "laplacian"},
                {"curvature", "--model", model.toString(), "--data", "xor", "--eigen-method", "qr"},
                {"curvature", "--model", model.toString(), "--data", "xor", "--report", "x.txt"}}) {
            Cli.Result r = Cli.run(args);
            assertEquals(ExitCodes.USAGE, r.exit(), r.toString());
            assertEquals(1, r.errLines(), r.err());
        }
    }

    /** Eigenvalues of a symmetric n × n row-major matrix by cyclic Jacobi rotations, ascending. */
    static double[] jacobiEigenvalues(double[] m, int n) {
        double[] a = m.clone();
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p * n + q] * a[p * n + q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k * n + p];
                        double akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p * n + k];
                        double aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = a[i * n + i];
        }
        Arrays.sort(w);
        return w;
    }
}
