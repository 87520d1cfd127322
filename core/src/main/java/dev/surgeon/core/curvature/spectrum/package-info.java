/**
 * Spectral tools over any {@link dev.surgeon.core.curvature.CurvatureOperator} that can multiply: power
 * iteration with deflation for the top eigenvalues (METHODS A11), Lanczos with full re-orthogonalization for
 * extreme eigenvalues and stochastic spectral densities (A12), Hutchinson's trace and diagonal estimators
 * (A10). Every random choice (start vectors, probes) comes from a seed; defaults are PyHessian's.
 */
package dev.surgeon.core.curvature.spectrum;
