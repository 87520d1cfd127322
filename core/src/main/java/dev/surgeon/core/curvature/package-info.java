/**
 * Curvature operators of a network's loss over a data source (METHODS.md sections 1 and A): the exact Hessian
 * and Gauss-Newton products, dense Hessian/Gauss-Newton/Fisher matrices, diagonal, block-diagonal, K-FAC/KFC,
 * M-FAC (static and dynamic) and layer-wise approximations, all behind {@link
 * dev.surgeon.core.curvature.CurvatureOperator} and built by {@link dev.surgeon.core.curvature.Curvature}; the
 * damping and Cholesky-retry rule ({@link dev.surgeon.core.curvature.DampedCholesky}); the memory pre-flight
 * ({@link dev.surgeon.core.curvature.MemoryBudget}). Spectral tools are in the {@code spectrum} sub-package.
 */
package dev.surgeon.core.curvature;
