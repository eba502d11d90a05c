import { defineConfig } from "prisma/config";
import { cliAdapter } from "./prisma/cli-adapter";
import { DEFAULT_DATABASE_URL, MIGRATION_DIRS, SCHEMA_FILES, databaseKind } from "./prisma/database-url";

// A config file turns off Prisma's .env loading: the default below keeps `npm run db:migrate` working
// on a fresh machine. Schema, migrations and adapter all follow the scheme of DATABASE_URL.
const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
process.env.DATABASE_URL = url;
const kind = databaseKind(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: SCHEMA_FILES[kind],
  migrations: { path: MIGRATION_DIRS[kind] },
  adapter: async () => cliAdapter(url),
});
