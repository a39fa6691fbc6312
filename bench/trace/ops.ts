// An HKT1 record's op codes and word offsets (format: hkt.ts), in a module of constants only: the
// bundler (esbuild) inlines constants only from such modules, so the replay loop compares and
// indexes with literals, as the C replay does with its enum, instead of loading module variables
// (with their checks) on every record.
export const OP_MALLOC = 1;
export const OP_FREE = 2;
export const OP_REALLOC = 3;
export const OP_CALLOC = 4;
export const OP_ALIGNED = 5;

/** Word offsets inside a record. The first word holds op | thread << 8 | align_log2 << 16. */
export const R_ID = 1;
export const R_SIZE = 2;
export const R_OLD_ID = 3;
