#!/usr/bin/env node
// The `hakmem` command: the CLI bundle built by `npm run build` (scripts/build.mjs).
import "../dist/cli.js";
