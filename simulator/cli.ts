/**
 * Standalone WeChat simulator for development and e2e runs:
 *
 *   npx tsx simulator/cli.ts
 *
 * Env: SIM_PORT (default 4010), SIM_HOST (default 127.0.0.1), SIM_APP_ID, SIM_APP_SECRET,
 * SIM_REDIRECT_DOMAINS (comma-separated hostnames, default "localhost,127.0.0.1").
 */
import { SIM_DEFAULTS, startSimulator, type SimulatorOptions } from "./server";

function fail(message: string): never {
  console.error(`wechat-simulator: ${message}`);
  process.exit(1);
}

/** Unset and empty both mean "use the default". */
function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

function readOptions(): SimulatorOptions {
  const portText = env("SIM_PORT");
  const port = portText === undefined ? SIM_DEFAULTS.cliPort : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`SIM_PORT must be a port number, got "${portText}"`);

  const domainsText = env("SIM_REDIRECT_DOMAINS");
  const redirectDomains = domainsText
    ?.split(",")
    .map((d) => d.trim())
    .filter((d) => d !== "");

  return {
    port,
    host: env("SIM_HOST") ?? SIM_DEFAULTS.host,
    appId: env("SIM_APP_ID") ?? SIM_DEFAULTS.appId,
    appSecret: env("SIM_APP_SECRET") ?? SIM_DEFAULTS.appSecret,
    redirectDomains: redirectDomains ?? [...SIM_DEFAULTS.redirectDomains],
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  const sim = await startSimulator(options).catch((error: unknown) =>
    fail(error instanceof Error ? error.message : String(error)),
  );

  console.log(`WeChat simulator listening on ${sim.url}`);
  console.log(`  WECHAT_OAUTH_BASE=${sim.url}  WECHAT_API_BASE=${sim.url}`);
  console.log(`  appid ${options.appId}  secret ${options.appSecret}`);
  console.log(`  redirect domains: ${options.redirectDomains?.join(", ")}`);
  console.log(`  users: ${sim.users.map((u) => `${u.key} (${u.openid})`).join(", ")}`);
  console.log(`  controls: ${sim.url}/__sim/health, /__sim/requests, POST /__sim/reset ... (see simulator/README.md)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`wechat-simulator: ${signal}, closing`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
