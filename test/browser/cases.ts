// The shared cases (test/shared/) that apply in a page, each with the name it reports under:
// a page that is not cross-origin isolated has no SharedArrayBuffer, so no workers sharing a
// heap, and is where the fallback case applies.
import { ARRAY_CASES } from "../shared/arrays.ts";
import { CONTRACT } from "../shared/contract.ts";
import type { Case, Profile, WorkerCase } from "../shared/harness.ts";
import { STRING_CASES } from "../shared/strings.ts";
import { WORKER_CASES } from "../shared/workers.ts";

export interface NamedCase {
  readonly name: string;
  readonly c: Case | WorkerCase;
  readonly profile: Profile;
}

export function pageCases(isolated: boolean): NamedCase[] {
  const cases: (Case | WorkerCase)[] = [...[...CONTRACT, ...ARRAY_CASES, ...STRING_CASES].filter((c) => c.needs !== (isolated ? "unshared" : "shared")), ...(isolated ? WORKER_CASES : [])];
  return cases.flatMap((c) => (c.profiles ?? (["balanced"] as const)).map((profile) => ({ name: c.profiles ? `${c.name} [${profile}]` : c.name, c, profile })));
}
