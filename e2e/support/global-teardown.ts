// Drops the run's PostgreSQL database (the app still holds connections: WITH (FORCE)).
import { dropPostgresDatabase } from "./database";

export default async function globalTeardown(): Promise<void> {
  const url = process.env.WCUC_E2E_PG_URL;
  if (url && process.env.E2E_KEEP_DATABASE !== "1") await dropPostgresDatabase(url);
}
