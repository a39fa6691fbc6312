// The part of @daneren2005/shared-memory-objects the bench uses. The package ships TypeScript
// sources with extensionless imports, which this project's NodeNext type-check rejects, so the
// bench imports it as "smo-runtime" (an esbuild alias, scripts/build.mjs) typed by this file.
declare module "smo-runtime" {
  export class MemoryBuffer {
    constructor(opts: { buf: ArrayBufferLike; skipInitialization?: boolean });
    readonly buf: ArrayBufferLike;
    malloc(bytes: number): number;
    free(ptr: number): boolean;
  }
  export class MemoryHeap {
    constructor(config: { bufferSize?: number; initialBuffers?: number });
    readonly buffers: MemoryBuffer[];
  }
}
