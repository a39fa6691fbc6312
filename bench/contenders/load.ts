// Loads a contender's module in a bench process or team member; each is its own chunk of the
// bench bundle, so a process evaluates only the one it measures (cheap makes its heap on import).
import type { ContenderModule } from "../contender.ts";

const LOADERS: Record<string, () => Promise<ContenderModule>> = {
  hakmem: () => import("./hakmem.ts"),
  sol: () => import("./sol.ts"),
  tlsf: () => import("./tlsf.ts"),
  gc: () => import("./gc.ts"),
  cheap: () => import("./cheap.ts"),
  thing: () => import("./thing.ts"),
  smo: () => import("./smo.ts"),
};

export function loadContender(id: string): Promise<ContenderModule> {
  const load = LOADERS[id];
  if (load === undefined) throw new Error(`contender "${id}" has no JS module (native runs as its own binary)`);
  return load();
}
