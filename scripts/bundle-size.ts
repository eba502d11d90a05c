// `npx tsx scripts/bundle-size.ts [distDir]` (default .next): the JavaScript each page makes the browser
// load on its first view, gzipped, after a `next build`. Next.js 16 no longer prints a "First Load JS"
// column, so this reads the build's own manifests: the root main files (framework, runtime) plus the
// entry chunks of the page's layouts and page (page_client-reference-manifest.js). Lazily loaded chunks
// are not counted. Used to measure what Ant Design costs the console (README, "Admin console").
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";

const dist = process.argv[2] ?? ".next";

async function manifests(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await manifests(full)));
    else if (entry.name === "page_client-reference-manifest.js") found.push(full);
  }
  return found;
}

const sizes = new Map<string, { raw: number; gzip: number }>();
async function size(file: string) {
  let known = sizes.get(file);
  if (!known) {
    const bytes = await readFile(path.join(dist, file));
    known = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    sizes.set(file, known);
  }
  return known;
}

const build = JSON.parse(await readFile(path.join(dist, "build-manifest.json"), "utf8")) as {
  rootMainFiles: string[];
};
const rows: { route: string; raw: number; gzip: number }[] = [];
for (const file of await manifests(path.join(dist, "server", "app"))) {
  const text = await readFile(file, "utf8");
  const match = /"entryJSFiles":(\{[^}]*\})/.exec(text);
  if (!match?.[1]) continue;
  const entries = JSON.parse(match[1]) as Record<string, string[]>;
  const chunks = new Set([...build.rootMainFiles, ...Object.values(entries).flat()]);
  let raw = 0;
  let gzip = 0;
  for (const chunk of chunks) {
    const s = await size(chunk);
    raw += s.raw;
    gzip += s.gzip;
  }
  const route = path
    .relative(path.join(dist, "server", "app"), path.dirname(file))
    .replace(/\([^)]*\)\/?/g, "")
    .replace(/\/$/, "");
  if (route.startsWith("_")) continue;
  rows.push({ route: `/${route}`, raw, gzip });
}
rows.sort((a, b) => a.route.localeCompare(b.route));
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
console.log("| Route | First-load JS (gzip) | (raw) |\n|---|---:|---:|");
for (const r of rows) console.log(`| \`${r.route}\` | ${kb(r.gzip)} | ${kb(r.raw)} |`);
