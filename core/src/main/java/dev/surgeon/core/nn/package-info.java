/**
 * Networks over one flat parameter vector: {@code ParameterLayout} (every tensor a named slice of one
 * {@code float[]}), layers with forward/backward and second-order hooks (R-operator, Jacobian products,
 * diagonal Gauss-Newton, per-sample gradients, K-FAC statistics), losses, masks and the architecture spec.
 */
package dev.surgeon.core.nn;
