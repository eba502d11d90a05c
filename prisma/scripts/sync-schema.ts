// Writes prisma/schema.postgres.prisma from prisma/schema.prisma: the datasource provider cannot come
// from env(), so each database gets its own schema file and generated client from one source.
// `--check` exits 1 when the PostgreSQL schema is stale (CI runs it).
import fs from "node:fs";

const source = fs.readFileSync("prisma/schema.prisma", "utf8");
const header = "// GENERATED from prisma/schema.prisma by `npm run db:schema`. Do not edit.\n";
const target =
  header +
  source
    .replace(/provider(\s*)= "sqlite"/, 'provider$1= "postgresql"')
    .replace(/output(\s*)= "\.\.\/lib\/generated\/sqlite"/, 'output$1= "../lib/generated/postgres"')
    // Lines only PostgreSQL can express (trigram GIN indexes for substring search) live in the one
    // source as "// @postgres ..." comments and become real here.
    .replace(/^(\s*)\/\/ @postgres /gm, "$1")
    // Lines for SQLite only (an index that stands in for a trigram index there) end in "// @sqlite-only"
    // and are commented out here.
    .replace(/^(\s*)(\S.*?)\s*\/\/ @sqlite-only$/gm, "$1// (SQLite only) $2")
    .replace(/(provider\s*= "prisma-client")/, '$1\n  previewFeatures = ["postgresqlExtensions"]')
    .replace(/(url\s*= env\("DATABASE_URL"\))/, "$1\n  extensions = [pg_trgm]");

if (target === header + source) throw new Error("schema.prisma: provider/output lines not found");

const file = "prisma/schema.postgres.prisma";
if (process.argv.includes("--check")) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  if (current !== target) {
    console.error(`${file} is stale: run npm run db:schema`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(file, target);
  console.log(`wrote ${file}`);
}
