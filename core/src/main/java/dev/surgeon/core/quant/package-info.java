/**
 * Weight quantization: per-channel uniform grids ({@link dev.surgeon.core.quant.QuantizationGrid}, METHODS C1),
 * OBQ greedy quantization with OBS compensation ({@link dev.surgeon.core.quant.Obq}, C2) and the stored form of
 * quantized weights ({@link dev.surgeon.core.quant.QuantizedWeights}, {@link dev.surgeon.core.quant.QuantizedModelFile}).
 */
package dev.surgeon.core.quant;
