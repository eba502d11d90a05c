// Driver adapters for the Prisma CLI (the JavaScript schema engine). Not used by the app at run time.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseKind, sqlitePath } from "./database-url";

// prisma/orm#27403: the JS schema engine reads catalog columns of types `name`, `"char"` and friends,
// which @prisma/adapter-pg cannot deserialize. Reporting them as text is exact for what migrate reads.
const CATALOG_OIDS_AS_TEXT = new Map<number, number>([
  [18, 25],
  [19, 25],
  [22, 25],
  [24, 25],
  [28, 25],
  [30, 25],
  [194, 25],
  [2205, 25],
  [2206, 25],
  [1002, 1009],
  [1003, 1009],
]);

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function remapFields<T>(result: T): T {
  for (const field of (result as QueryResultLike).fields ?? []) {
    const mapped = CATALOG_OIDS_AS_TEXT.get(field.dataTypeID);
    if (mapped !== undefined) field.dataTypeID = mapped;
  }
  return result;
}

/** A pg.Pool whose query results report catalog types as text. */
class CatalogSafePool extends pg.Pool {
  // The adapter calls pool.query(config, values) and awaits the promise.
  override query(...args: unknown[]): never {
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return (out instanceof Promise ? out.then(remapFields) : out) as never;
  }
}

class CliPrismaPg extends PrismaPg {
  readonly #config: pg.PoolConfig;
  constructor(config: pg.PoolConfig) {
    super(new CatalogSafePool(config), { disposeExternalPool: true });
    this.#config = config;
  }
  // The stock shadow database handling passes the URL through and drops the database while its pool
  // still holds connections; connect with discrete fields and close the pool first.
  override async connectToShadowDb() {
    const admin = new pg.Client(this.#config);
    await admin.connect();
    const database = `prisma_shadow_${globalThis.crypto.randomUUID().replaceAll("-", "")}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const url = new URL(String(this.#config.connectionString));
    const shadow = new PrismaPg(
      new CatalogSafePool({
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username) || undefined,
        password: decodeURIComponent(url.password) || undefined,
        database,
        allowExitOnIdle: true,
      }),
      { disposeExternalPool: true },
    );
    const adapter = await shadow.connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.end();
    };
    return adapter;
  }
}

export function cliAdapter(url: string) {
  if (databaseKind(url) === "sqlite") {
    const file = sqlitePath(url);
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new PrismaBetterSQLite3({ url });
  }
  // allowExitOnIdle: the CLI must exit as soon as it is done, not after pg's 10 s idle timeout.
  return new CliPrismaPg({ connectionString: url, allowExitOnIdle: true });
}
