package dev.surgeon.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.surgeon.kernels.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArchitectureSpecTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "lenet-300-100, 266610, 10",
        "lenet-5, 431080, 10",
        "mlpnet, 32360, 10",
        "xor, 9, 1",
        "monk-3h, 58, 1",
        "monk-2h, 39, 1",
    })
    void presetsHaveThePublishedParameterCountsAndRoundTrip(String name, int parameters, int outputs) {
        ArchitectureSpec spec = ArchitectureSpec.parse(name);
        assertEquals(parameters, ParameterLayout.of(spec).size());
        assertEquals(outputs, spec.outputShape().size());
        assertEquals(spec, ArchitectureSpec.parse(spec.toString()));
        assertEquals(spec, ArchitectureSpec.preset(name));
    }

    @Test
    void everyOptionRoundTrips() {
        String text = "in(3,32,32) conv(16,3,stride=2,pad=1,bias=false) avgpool(3,stride=2) maxpool(2) flatten "
                + "dropout(0.25) dense(10,bias=false) tanh sigmoid relu";
        ArchitectureSpec spec = ArchitectureSpec.parse(text);
        assertEquals(text, spec.toString());
        assertEquals(spec, ArchitectureSpec.parse("  in(3, 32, 32)   conv(16, 3, pad=1, stride=2, bias=false) avgpool(3,stride=2)"
                + " maxpool(2,stride=2) flatten dropout(0.25) dense(10, bias=false) tanh sigmoid relu "));
        assertEquals(java.util.List.of(16, 16, 16), java.util.Arrays.stream(spec.shapeBefore(1).dims()).boxed().toList());
        assertEquals(Shape.of(16, 7, 7), spec.shapeBefore(2));
        assertEquals(Shape.of(10), spec.outputShape());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = ';', value = {
        "dense(3); 1; expected 'in(...)'",
        "'';  1; found the end of the spec",
        "in(784) dense(300 relu; 19; expected ',' or ')' in dense(...), found 'r'",
        "in(784) dense(10; 17; expected ',' or ')' in dense(...), found the end of the spec",
        "in(784) dense(300) rel; 20; unknown layer 'rel'",
        "in(784) conv(20,5); 9; conv needs a [channels, height, width] input",
        "in(1,28,28) dense(10); 13; insert 'flatten' before it",
        "in(1,4,4) conv(2,5); 11; conv kernel 5 (padding 0) does not fit the 4x4 input",
        "in(1,4,4) maxpool(5); 11; maxpool window 5 does not fit",
        "in(784) dense(0); 15; units must be >= 1",
        "in(784) dense(x); 15; expected an integer units, found 'x'",
        "in(784) dense(10,bias=maybe); 23; expected true or false for 'bias'",
        "in(784) dense(10,stride=2); 18; unknown option 'stride' for dense",
        "in(784) dense(10,bias=false,bias=true); 29; option 'bias' given twice",
        "in(784) dense(bias=false,10); 26; positional argument '10' after an option",
        "in(784) conv(3); 9; conv takes 2 numbers (filters,kernel)",
        "in(784) relu(2); 13; relu takes no arguments",
        "in(784) dropout(1.5); 17; dropout probability must be in [0, 1)",
        "in(784,3); 1; in(...) takes 1 number (features) or 3",
        "in(784)dense(3); 8; expected a blank between layers",
        "in(1,8,8) maxpool(3,stride=0); 28; stride must be >= 1",
    })
    void parseErrorsNameTheColumnAndWhatWasExpected(String text, int column, String fragment) {
        SpecParseException e = assertThrows(SpecParseException.class, () -> ArchitectureSpec.parse(text));
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().endsWith(" ".repeat(column + 1) + "^"), "caret under the column:\n" + e.getMessage());
    }

    @Test
    void layoutNamesShapesAndOffsetsFollowPyTorch() {
        ParameterLayout layout = ParameterLayout.of(ArchitectureSpec.parse("lenet-5"));
        String[] names = {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"};
        int[] offsets = {0, 500, 520, 25520, 25570, 425570, 426070, 431070};
        for (int i = 0; i < names.length; i++) {
            ParameterTensor t = layout.tensors().get(i);
            assertEquals(names[i], t.name());
            assertEquals(offsets[i], t.offset());
            assertEquals(t, layout.tensor(names[i]));
            assertEquals(t, layout.tensorAt(t.offset()));
            assertEquals(t, layout.tensorAt(t.end() - 1));
        }
        assertArrayEquals(new int[] {50, 20, 5, 5}, layout.tensor("conv2.weight").shape());
        assertArrayEquals(new int[] {500, 800}, layout.tensor("fc1.weight").shape());
        assertEquals(ParameterTensor.Role.BIAS, layout.tensor("fc2.bias").role());
        assertEquals(7, layout.tensor("fc2.weight").layerIndex());
        assertEquals("conv2.weight[1, 0, 0, 2]", layout.tensorAt(520 + 500 + 2).describe(520 + 500 + 2));
        assertEquals(500, layout.tensor("conv2.weight").columns());
        assertThrows(IllegalArgumentException.class, () -> layout.tensor("fc3.weight"));
    }

    @Test
    void initializationIsPyTorchsUniformAndSeeded() {
        ArchitectureSpec spec = ArchitectureSpec.parse("in(1,6,6) conv(4,3) flatten dense(5)");
        Network a = Network.create(spec, 1, Kernels.scalar());
        Network b = Network.create(spec, 1, Kernels.scalar());
        assertArrayEquals(a.parameters(), b.parameters());
        assertNotEquals(java.util.Arrays.toString(a.parameters()),
                java.util.Arrays.toString(Network.create(spec, 2, Kernels.scalar()).parameters()));
        for (ParameterTensor t : a.layout().tensors()) {
            double bound = 1 / Math.sqrt(t.name().startsWith("conv") ? 9 : 64);
            double max = 0;
            for (int q = t.offset(); q < t.end(); q++) {
                max = Math.max(max, Math.abs(a.parameters()[q]));
            }
            assertTrue(max <= bound && max > 0.5 * bound, t + ": max |w| " + max + " vs bound " + bound);
        }
    }
}
