import "server-only";
// The data layer (README, "Databases and migrations"): every way to the database starts here.
// - client.ts: the Prisma client (db(), createDb) and the dialect of a client (dialectOf).
// - reader.ts: hot reads on the driver with prepared statements (readRows).
// - driver.ts: writing transactions on the driver with named queries (driverTransaction, SqlTx);
//   people.ts: the named queries of a login and of a person.
// - connections.ts: the driver connections and pools beside Prisma's (the reader's, the message store's).
// - dialect.ts: what differs between SQLite and PostgreSQL; feature code never branches on the database.
// - errors.ts, sqlite-busy.ts: Prisma's errors by meaning; SQLite's busy retry. Both load outside Next.js.
export { createDb, databaseUrlOf, db, dialectOf, type Db, type Prisma } from "./client";
export { dialectFor, perDatabase, type Cast, type Dialect, type RawFragment } from "./dialect";
export {
  driverReturning,
  driverStatement,
  driverTransaction,
  expectOne,
  namedQuery,
  runWrites,
  sqlTime,
  sqlTxOf,
  write,
  type NamedQuery,
  type SqlTime,
  type SqlTx,
  type Write,
} from "./driver";
export { newId } from "./ids";
export * as people from "./people";
export * as payQueries from "./pay";
export { isLostRace, isRawUniqueViolation, isUniqueViolation, RowGoneError } from "./errors";
export { executeSql, readRows } from "./reader";
export { yieldToEventLoop } from "./sqlite-busy";
