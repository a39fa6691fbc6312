// The contenders that run in a browser page (marked `browser` in contenders/index.ts): the
// pure-JS ones, with no Node built-ins and no files to read. A page or worker runs one of them, so the workload loops' call sites stay monomorphic.
import type { ContenderModule } from "../contender.ts";
import * as gc from "../contenders/gc.ts";
import * as hakmem from "../contenders/hakmem.ts";
import * as sol from "../contenders/sol.ts";

const MODULES: Record<string, ContenderModule> = { hakmem, sol, gc };

export function loadContender(id: string): Promise<ContenderModule> {
  const mod = MODULES[id];
  return mod === undefined ? Promise.reject(new Error(`contender "${id}" does not run in a browser`)) : Promise.resolve(mod);
}
