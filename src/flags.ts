/**
 * Build flag for telemetry (hakmem's FAST vs OBSERVE builds). It is false here; the
 * "hakmem/observe" bundle is built with this module replaced by one exporting true
 * (scripts/build.mjs), and `if (OBSERVE)` blocks vanish from the default bundle.
 */
export const OBSERVE: boolean = false;
