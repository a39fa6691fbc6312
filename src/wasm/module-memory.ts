/**
 * The memory a module imports: its declared limits, read from the module's bytes (the JS API
 * does not expose them), so that instantiate() can create a memory the module accepts.
 */

export interface MemoryLimits {
  /** Minimum size in 64 KiB pages. */
  initial: number;
  /** Maximum size in pages, if declared. */
  maximum: number | undefined;
  shared: boolean;
}

const IMPORT_SECTION = 2;
const KIND_FUNC = 0;
const KIND_TABLE = 1;
const KIND_MEMORY = 2;
const KIND_GLOBAL = 3;
const KIND_TAG = 4;

/** The limits of the memory the module imports, or undefined if it imports none. */
export function importedMemoryLimits(bytes: Uint8Array): MemoryLimits | undefined {
  let at = 8; // magic and version
  const u32 = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length) throw new WebAssembly.CompileError("truncated module");
      const b = bytes[at++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
  };
  const skipName = (): void => {
    const n = u32();
    at += n;
  };
  const limits = (): MemoryLimits => {
    const flags = u32();
    const initial = u32();
    const maximum = (flags & 1) !== 0 ? u32() : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0 };
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id !== IMPORT_SECTION) {
      at = end;
      continue;
    }
    for (let count = u32(); count > 0; count--) {
      skipName();
      skipName();
      const kind = bytes[at++];
      if (kind === KIND_MEMORY) return limits();
      if (kind === KIND_FUNC) u32();
      else if (kind === KIND_TABLE) {
        at++; // reference type
        limits();
      } else if (kind === KIND_GLOBAL) at += 2; // value type, mutability
      else if (kind === KIND_TAG) {
        at++; // attribute
        u32();
      } else throw new WebAssembly.CompileError(`unknown import kind ${kind}`);
    }
    return undefined;
  }
  return undefined;
}
