/**
 * File formats: safetensors and npy (read and write, hostile input refused), Surgeon model files
 * ({@link dev.surgeon.core.io.ModelFile}: safetensors with the architecture, masks and
 * {@link dev.surgeon.core.io.Provenance} in the metadata) and the import of PyTorch state_dicts saved with
 * safetensors.
 */
package dev.surgeon.core.io;
