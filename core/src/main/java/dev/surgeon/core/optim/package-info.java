/** Optimizers: the first-order family, L-BFGS, and (later) the natural-gradient optimizers. */
package dev.surgeon.core.optim;
