/** File formats: safetensors and npy (read and write, hostile input refused), and Surgeon model files. */
package dev.surgeon.core.io;
