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
