// Where the soak's larson worker is: from source (tsx) bench/soak/worker.ts, built
// dist/bench/soak-worker.js (scripts/build.mjs). Start it with startWorker (../trace/scripts.ts),
// which registers tsx inside the worker when running from source.
import { PACKAGE_ROOT } from "../trace/scripts.ts";

export const SOAK_WORKER = new URL(import.meta.url.endsWith(".ts") ? "bench/soak/worker.ts" : "dist/bench/soak-worker.js", PACKAGE_ROOT);
