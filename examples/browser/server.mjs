// A static server for the example: `node examples/browser/server.mjs [port]` (after `npm run
// build`; in your own project, with hakmem installed, copy this folder). It serves this folder at
// / and hakmem's dist/ at /hakmem/. Every response — the page, its modules and the workers'
// scripts — carries the headers that make the page cross-origin isolated, without which there
// is no SharedArrayBuffer (COOP + COEP), and CORP, without which a worker script fails to load
// under COEP with a bare `error` event.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".map": "application/json" };
const here = dirname(fileURLToPath(import.meta.url));
const dist = dirname(fileURLToPath(import.meta.resolve("hakmem"))); // the installed package, or this repo's build
const ROOTS = [["/hakmem/", dist], ["/", here]];

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  const [prefix, root] = ROOTS.find(([p]) => path.startsWith(p));
  const file = normalize(join(root, path.slice(prefix.length) || "index.html"));
  const type = TYPES[extname(file)];
  try {
    if (!file.startsWith(root + sep) || type === undefined) throw new Error("not served");
    const body = await readFile(file);
    res.writeHead(200, { ...HEADERS, "Content-Type": type }).end(body);
  } catch {
    res.writeHead(404, HEADERS).end();
  }
});
server.listen(Number(process.argv[2] ?? 8080), "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}/`));
