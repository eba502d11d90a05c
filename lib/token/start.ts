// Starts the proactive refresher once per process (lib/startup.ts, Node runtime only).
import { log } from "@/lib/log";
import { startRefresher, type Refresher } from "./refresher";

const globalForRefresher = globalThis as unknown as { wcucTokenRefresher?: Refresher };

export async function startTokenRefresher(): Promise<void> {
  if (globalForRefresher.wcucTokenRefresher) return;
  try {
    const { services } = await import("@/lib/services");
    globalForRefresher.wcucTokenRefresher = startRefresher(services.tokens);
  } catch (error) {
    // The app still serves; the first read fetches on demand and passive refresh still works.
    log.error("token_refresher_not_started", { message: error instanceof Error ? error.message : String(error) });
  }
}
