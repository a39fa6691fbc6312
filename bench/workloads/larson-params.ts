// larson's parameters, as literals in a module of constants only: esbuild inlines constants only
// from such modules, and a module-level variable costs V8 a context load and a type check at
// each use in the timed loop (the C larson's are immediates).
export const MIN_SIZE = 8;
export const MAX_SIZE = 1000;
export const RANGE = 992; // MAX_SIZE − MIN_SIZE
export const CHUNKS = 5000;
export const ROUNDS = 100;
/** splitmix32's state increment (0x9e3779b9 as an int32). */
export const GOLDEN = -1640531527;
