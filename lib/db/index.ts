import "server-only";
// The data layer (README, "Databases and migrations"): every way to the database starts here.
// - client.ts: the Prisma client (db(), createDb) and the dialect of a client (dialectOf).
// - reader.ts: hot reads on the driver with prepared statements (readRows).
// - connections.ts: the driver connections and pools beside Prisma's (the reader's, the message store's).
// - dialect.ts: what differs between SQLite and PostgreSQL; feature code never branches on the database.
// - errors.ts, sqlite-busy.ts: Prisma's errors by meaning; SQLite's busy retry. Both load outside Next.js.
export { createDb, databaseUrlOf, db, dialectOf, type Db, type Prisma } from "./client";
export { dialectFor, perDatabase, type Cast, type Dialect, type RawFragment } from "./dialect";
export { isLostRace, isRawUniqueViolation, isUniqueViolation } from "./errors";
export { executeSql, readRows } from "./reader";
export { yieldToEventLoop } from "./sqlite-busy";
