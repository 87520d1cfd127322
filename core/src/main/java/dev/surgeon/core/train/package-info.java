/** The training loop: epochs, batches, schedules, evaluation, callbacks and early stopping. */
package dev.surgeon.core.train;
