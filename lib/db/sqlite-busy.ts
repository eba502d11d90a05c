// better-sqlite3 is synchronous: a statement that waits for another connection's lock (busy_timeout)
// blocks the event loop, and with it the very connection holding the lock if that is Prisma's, inside an
// interactive transaction across awaits. So the app's own better-sqlite3 connections run with
// busy_timeout 0 and retry a busy database after a short asynchronous pause instead.

/** How long a busy database is retried before the caller gets the error. */
const BUSY_GIVE_UP_MS = 10_000;

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED";
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function retryWhileBusy<T>(run: () => T): Promise<T> {
  const giveUpAt = Date.now() + BUSY_GIVE_UP_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return run();
    } catch (err) {
      if (!isBusy(err) || Date.now() >= giveUpAt) throw err;
      await pause(Math.min(2 ** attempt, 50));
    }
  }
}

/** Prisma's own text for a DateTime on SQLite, so that ORM reads and comparisons see the same values. */
export const sqliteTime = (date: Date): string => date.toISOString().replace("Z", "+00:00");

/**
 * Lets the event loop turn (timers, sockets, a WeChat push waiting for its 5 s answer) between the steps
 * of a long read. A statement on the synchronous driver resolves at once, so a loop of them runs in
 * microtasks only and holds the process until it is done: 300,000 rows exported froze it for 2.6 s.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
