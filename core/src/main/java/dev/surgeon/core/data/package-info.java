/** Datasets, seeded batching, readers (IDX, UCI MONK, CSV) and generators (XOR, MONK's problems). */
package dev.surgeon.core.data;
