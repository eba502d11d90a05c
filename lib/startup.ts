// Node-only start-up check, imported by instrumentation.ts.
import { env, EnvError } from "@/lib/env";

try {
  env();
} catch (err) {
  if (err instanceof EnvError) {
    console.error(`\n${err.message}\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
  throw err;
}

// Message pushes recorded by a previous process but not applied yet (lib/messages), in the background.
void import("@/lib/messages/deps")
  .then((m) => m.resumeMessageEvents())
  .catch((err: unknown) => console.error("message_events_resume_failed", err));

// Background jobs (lib/jobs): the follower sync, the once-a-minute retry of pending message events,
// retention. Started here only, so `next build` and tests never start a runner they did not ask for.
void import("@/lib/services")
  .then((m) => m.services.startJobs())
  .catch((err: unknown) => console.error("background_jobs_start_failed", err));

// The central token service's proactive refresher: one leader per account across all processes.
void import("@/lib/token/start").then((m) => m.startTokenRefresher());

// First run: while no staff account exists, log the one-time setup link now rather than at the first
// visit to the sign-in page, so that whoever starts the server sees it at once.
void Promise.all([import("@/lib/admin/setup"), import("@/lib/db")])
  .then(([setup, { db }]) => setup.announceSetupIfNeeded(db()))
  .catch((err: unknown) => console.error("admin_setup_announce_failed", err));
