// A static file server on 127.0.0.1 for Chromium runs (the bench's pages, the browser tests).
// Every response carries Cross-Origin-Resource-Policy, and Cross-Origin-Opener-Policy plus
// Cross-Origin-Embedder-Policy, which make the page cross-origin isolated (SharedArrayBuffer
// exists only there). A worker script served without them fails with a bare `error` event.
// Paths under /plain/ serve the same files without COOP/COEP: a page that is not isolated.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";

export interface StaticServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  readonly origin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

export const NOT_ISOLATED = "/plain";

/** The file a URL path names under `roots` (URL prefix → directory; longest prefix wins). */
function fileOf(roots: Record<string, string>, path: string): string | undefined {
  const prefix = Object.keys(roots)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return undefined;
  const root = resolve(roots[prefix]);
  const file = resolve(join(root, decodeURIComponent(path.slice(prefix.length))));
  return file.startsWith(root + sep) ? file : undefined;
}

/** Serves `roots` (e.g. { "/": "dist" }) until close(). */
export function serveStatic(roots: Record<string, string>): Promise<StaticServer> {
  const server = createServer((req, res) => {
    let path = new URL(req.url ?? "/", "http://localhost").pathname;
    const isolated = !(path === NOT_ISOLATED || path.startsWith(`${NOT_ISOLATED}/`));
    if (!isolated) path = path.slice(NOT_ISOLATED.length) || "/";
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    res.setHeader("Cache-Control", "no-store");
    if (isolated) {
      res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
      res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    }
    const file = fileOf(roots, path);
    const type = file === undefined ? undefined : TYPES[extname(file)];
    if (file === undefined || type === undefined) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { "Content-Type": type }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((resolveStart, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolveStart({
        origin: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
