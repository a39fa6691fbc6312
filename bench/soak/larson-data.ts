// What the soak's larson main thread and its workers share: the control words and the data each
// worker starts with.

/** Control words (an Int32Array over a SharedArrayBuffer). */
export const GO = 0;
export const STOP = 1;
/** Replacements done by all workers, added chunk by chunk (wraps at 2^32: read differences). */
export const OPS = 2;
export const CONTROL_WORDS = 3;

export interface LarsonWorkerData {
  /** The heap's buffer, to attach to. */
  readonly buffer: SharedArrayBuffer;
  /** Every worker's slots (CHUNKS each); this worker owns [index × CHUNKS, (index + 1) × CHUNKS). */
  readonly slots: Int32Array;
  readonly control: Int32Array;
  readonly index: number;
  readonly seed: number;
}

/** A worker's last message. */
export interface LarsonWorkerResult {
  /** Handles that took over from a detached predecessor (larson's successor threads). */
  readonly successors: number;
}
