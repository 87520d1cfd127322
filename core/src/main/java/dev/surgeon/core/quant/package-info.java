/**
 * Weight quantization: per-channel uniform grids ({@link dev.surgeon.core.quant.QuantizationGrid}, METHODS C1),
 * OBQ greedy quantization with OBS compensation ({@link dev.surgeon.core.quant.Obq}, C2) and quantized weights
 * as codes plus per-channel scale and zero ({@link dev.surgeon.core.quant.QuantizedWeights}, stored in model files
 * by {@link dev.surgeon.core.io.ModelFile}). GPTQ is {@link dev.surgeon.core.prune.SparseGpt#gptq}.
 */
package dev.surgeon.core.quant;
