// `npm run db:new-migration -- <name>`: writes a migration for both databases.
// `prisma migrate dev` needs a shadow database the JS engine mishandles, and `migrate diff
// --from-migrations` fails on SQLite through the adapter; so each migrations folder keeps a snapshot
// of the schema as of its last migration, and the new migration is the diff snapshot → schema.
// The PostgreSQL diff needs a reachable server (PG_URL, default the local one); it changes nothing there.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { MIGRATION_DIRS, SCHEMA_FILES, type DatabaseKind } from "../database-url";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: npm run db:new-migration -- <name>");
  process.exit(2);
}
execFileSync("npx", ["tsx", "prisma/scripts/sync-schema.ts"], { stdio: "inherit" });

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
for (const kind of ["sqlite", "postgresql"] as DatabaseKind[]) {
  const dir = MIGRATION_DIRS[kind];
  const snapshot = path.join(dir, "schema.snapshot.prisma");
  const from = fs.existsSync(snapshot) ? ["--from-schema-datamodel", snapshot] : ["--from-empty"];
  const sql = execFileSync(
    "npx",
    ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", SCHEMA_FILES[kind], "--script"],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        DATABASE_URL:
          kind === "sqlite"
            ? "file:./data/dev.db"
            : (process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres"),
      },
    },
  );
  if (!/CREATE|ALTER|DROP/i.test(sql)) {
    console.log(`${kind}: no changes`);
    continue;
  }
  const target = path.join(dir, `${stamp}_${name}`);
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, "migration.sql"), sql);
  fs.copyFileSync(SCHEMA_FILES[kind], snapshot);
  const lock = path.join(dir, "migration_lock.toml");
  if (!fs.existsSync(lock)) fs.writeFileSync(lock, `provider = "${kind}"\n`);
  console.log(`${kind}: wrote ${target}/migration.sql`);
}
