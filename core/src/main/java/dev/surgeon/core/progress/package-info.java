/** Progress reporting of long-running work (calibration passes, ExactOBS rows, training epochs). */
package dev.surgeon.core.progress;
