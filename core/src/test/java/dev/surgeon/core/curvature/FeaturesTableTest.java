package dev.surgeon.core.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.surgeon.core.curvature.spectrum.Hutchinson;
import dev.surgeon.core.nn.LayerSpec;
import dev.surgeon.kernels.Kernels;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * docs/FEATURES.md's curvature tables cannot claim what the code does not do: every operator row is built on a
 * network with convolutional and dense layers, its declared capabilities must equal the row's ✓ marks, every
 * ✓ operation must run and every — must throw {@link UnsupportedOperationException} naming the operator; the
 * rows and this test's registry must list the same operators; and every test named in the tables must exist
 * as a test method. Other sections of FEATURES.md are not checked here.
 */
class FeaturesTableTest {
    private static final Capability[] COLUMNS = {Capability.MULTIPLY, Capability.INVERSE_MULTIPLY, Capability.DIAGONAL,
        Capability.INVERSE_DIAGONAL, Capability.DENSE};
    private static final String CONV_AND_DENSE = "Dense, Conv2d";

    private static Map<String, Function<Curvature, CurvatureOperator>> registry() {
        Damping damping = Damping.absolute(1e-2);
        Map<String, Function<Curvature, CurvatureOperator>> r = new LinkedHashMap<>();
        r.put("hessian", Curvature::hessian);
        r.put("gauss-newton", Curvature::gaussNewton);
        r.put("dense-hessian", c -> c.denseHessian(Damping.absolute(10)));
        r.put("dense-gauss-newton", c -> c.denseGaussNewton(damping));
        r.put("obs-outer-product", c -> c.dense(Gradients.outputJacobian(), damping, DenseInverseMethod.CHOLESKY));
        r.put("empirical-fisher", c -> c.dense(Gradients.empiricalFisher(), damping, DenseInverseMethod.CHOLESKY));
        r.put("empirical-fisher-rank-one", c -> c.dense(Gradients.empiricalFisher(), damping, DenseInverseMethod.RANK_ONE));
        r.put("true-fisher", c -> c.dense(Gradients.trueFisher(), damping, DenseInverseMethod.CHOLESKY));
        r.put("mini-batch-fisher", c -> c.dense(Gradients.empiricalFisher(2), damping, DenseInverseMethod.CHOLESKY));
        r.put("becker-lecun", c -> c.beckerLeCunDiagonal(false, damping));
        r.put("diagonal-gauss-newton", c -> c.diagonal(Gradients.gaussNewton(), damping));
        r.put("diagonal-empirical-fisher", c -> c.diagonal(Gradients.empiricalFisher(), damping));
        r.put("diagonal-true-fisher", c -> c.diagonal(Gradients.trueFisher(), damping));
        r.put("hutchinson-diagonal", c -> Hutchinson.diagonalOperator(c.gaussNewton(), 3, 4, 0, damping));
        r.put("block-diagonal-layers", c -> c.blockDiagonal(Gradients.empiricalFisher(), BlockPartition.perLayer(c.subset()), damping));
        r.put("block-diagonal-chunks", c -> c.blockDiagonal(Gradients.empiricalFisher(),
                BlockPartition.fixedSize(c.subset(), 7), damping));
        r.put("kfac-tikhonov", c -> c.kfac(GradientKind.TRUE_FISHER, KfacDamping.factoredTikhonov(1e-2, 0)));
        r.put("kfac-eigen", c -> c.kfac(GradientKind.TRUE_FISHER, KfacDamping.eigen(1e-2)));
        r.put("mfac-static", c -> c.mfac(Gradients.empiricalFisher(), 1e-2, Integer.MAX_VALUE, GradientStorage.DOUBLE));
        r.put("mfac-static-blocked", c -> c.mfac(Gradients.empiricalFisher(), 1e-2, 4, GradientStorage.FLOAT));
        r.put("mfac-dynamic", c -> {
            MfacDynamic m = new MfacDynamic(4, c.subset().dim(), 1e-2, GradientStorage.DOUBLE, Kernels.scalar());
            for (int i = 0; i < 3; i++) {
                m.push(Dense.random(c.subset().dim(), i));
            }
            return m;
        });
        r.put("layerwise", c -> c.layerwiseHessians(damping).get(0));
        return r;
    }

    private record Row(String id, Set<Capability> capabilities, String layers, List<String> tests) {
    }

    private static String section(String begin, String end) throws IOException {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("docs/FEATURES.md"))) {
            p = p.getParent();
        }
        if (p == null) {
            fail("docs/FEATURES.md not found above " + System.getProperty("user.dir"));
        }
        String text = Files.readString(p.resolve("docs/FEATURES.md"));
        int a = text.indexOf(begin);
        int b = text.indexOf(end);
        assertTrue(a >= 0 && b > a, "markers " + begin + " … " + end + " in FEATURES.md");
        return text.substring(a, b);
    }

    private static List<String[]> tableRows(String section) {
        List<String[]> rows = new ArrayList<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|---")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|", -1);
            for (int i = 0; i < cells.length; i++) {
                cells[i] = cells[i].trim();
            }
            rows.add(cells);
        }
        return rows.subList(1, rows.size());
    }

    private static List<String> testNames(String cell) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("`([A-Za-z]+Test#[A-Za-z0-9]+)`").matcher(cell);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static List<Row> operatorRows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String[] c : tableRows(section("<!-- curvature-table", "<!-- end curvature-table"))) {
            assertEquals(10, c.length, "columns of row " + String.join("|", c));
            Set<Capability> caps = EnumSet.noneOf(Capability.class);
            for (int i = 0; i < COLUMNS.length; i++) {
                String mark = c[3 + i];
                assertTrue(mark.equals("✓") || mark.equals("—"), "mark '" + mark + "' in row " + c[0]);
                if (mark.equals("✓")) {
                    caps.add(COLUMNS[i]);
                }
            }
            rows.add(new Row(c[0], caps, c[8], testNames(c[9])));
        }
        return rows;
    }

    @Test
    void everyOperatorRowMatchesTheOperatorsDeclaredAndActualCapabilities() throws IOException {
        List<Row> rows = operatorRows();
        Map<String, Function<Curvature, CurvatureOperator>> registry = registry();
        assertEquals(registry.keySet(), new java.util.LinkedHashSet<>(rows.stream().map(Row::id).toList()),
                "FEATURES.md rows vs the operators this test builds");
        TestNets tn = TestNets.of("in(1,5,5) conv(2,3) tanh flatten dense(3)", "cross-entropy-mean", 6, 101);
        Curvature c = tn.curvature(4).seed(5);
        assertTrue(tn.net.layers().stream().anyMatch(l -> l.spec().kind() == LayerSpec.Kind.CONV));
        for (Row row : rows) {
            CurvatureOperator op = registry.get(row.id()).apply(c);
            assertEquals(row.capabilities(), op.capabilities(), "capabilities of " + row.id() + " (" + op.name() + ")");
            if (row.layers().equals(CONV_AND_DENSE)) {
                coversConvAndDense(row.id(), c, op);
            } else {
                assertTrue(row.layers().startsWith("any"), "layers of " + row.id() + ": " + row.layers());
            }
            exercise(row.id(), op);
        }
    }

    private static void coversConvAndDense(String id, Curvature c, CurvatureOperator op) {
        if (op instanceof LayerwiseHessian) {
            List<LayerwiseHessian> all = c.layerwiseHessians(Damping.absolute(1));
            assertTrue(all.get(0).weight().name().startsWith("conv") && all.get(1).weight().name().startsWith("fc"), id);
        } else {
            assertEquals(c.subset().dim(), op.dim(), id + " covers every conv and dense parameter");
        }
    }

    private static void exercise(String id, CurvatureOperator op) {
        int d = op.dim();
        double[] v = Dense.random(d, 1);
        double[] out = new double[d];
        check(id, op, Capability.MULTIPLY, () -> op.multiply(v, out), out);
        check(id, op, Capability.INVERSE_MULTIPLY, () -> op.inverseMultiply(v, out), out);
        double[][] holder = new double[1][];
        check(id, op, Capability.DIAGONAL, () -> holder[0] = op.diagonal(), null);
        check(id, op, Capability.INVERSE_DIAGONAL, () -> holder[0] = op.inverseDiagonal(), null);
        check(id, op, Capability.DENSE, () -> holder[0] = op.toDense(), null);
    }

    private static void check(String id, CurvatureOperator op, Capability cap, Runnable call, double[] out) {
        if (op.supports(cap)) {
            call.run();
            if (out != null) {
                for (double x : out) {
                    assertTrue(Double.isFinite(x), id + ": " + cap + " produced " + x);
                }
            }
        } else {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call::run, id + " " + cap);
            assertTrue(e.getMessage().contains(op.name()), e.getMessage());
        }
    }

    @Test
    void everyTestNamedInTheCurvatureTablesExists() throws IOException {
        List<String> names = new ArrayList<>();
        for (Row r : operatorRows()) {
            assertFalse(r.tests().isEmpty(), "row " + r.id() + " names no test");
            names.addAll(r.tests());
        }
        for (String[] c : tableRows(section("<!-- curvature-tools", "<!-- end curvature-tools"))) {
            List<String> t = testNames(c[2]);
            assertFalse(t.isEmpty(), "tools row " + c[0] + " names no test");
            names.addAll(t);
        }
        for (String name : names) {
            String[] parts = name.split("#");
            Class<?> cls;
            try {
                cls = Class.forName("dev.surgeon.core.curvature." + parts[0]);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("FEATURES.md names a missing test class " + parts[0], e);
            }
            boolean found = false;
            for (Method m : cls.getDeclaredMethods()) {
                if (m.getName().equals(parts[1])
                        && (m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class))) {
                    found = true;
                }
            }
            assertTrue(found, "FEATURES.md names " + name + ", which is not a test method");
        }
    }
}
