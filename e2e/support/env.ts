// Where the e2e run puts things, shared by playwright.config.ts, the server preparation script and the
// tests. Ports are 3100+/4100 so the suite runs beside `npm run dev` (3000/4010) and the benchmarks (3200+/4200).
import { randomBytes } from "node:crypto";

//
// E2E_SLOT=n (1..8) moves everything (ports +10n, work and dist directories) so that several suites can
// run side by side on one machine, e.g. from two checkouts. Not 9: its simulator port, 4190, is one that
// fetch refuses to call ("bad port", the ManageSieve port).
const SLOT = Number(process.env.E2E_SLOT ?? "0");
if (!Number.isInteger(SLOT) || SLOT < 0 || SLOT > 8) throw new Error("E2E_SLOT must be an integer 0..8");
const suffix = SLOT === 0 ? "" : `-${SLOT}`;

export const WORK_DIR = `/tmp/wcuc-e2e${suffix}`;
export const DIST_DIR = `.next-e2e${suffix}`;

export const SIM_PORT = 4100 + SLOT * 10;
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;

export const APP_PORTS = { sqlite: 3100 + SLOT * 10, postgres: 3101 + SLOT * 10, outside: 3102 + SLOT * 10 } as const;
export const appUrl = (port: number) => `http://localhost:${port}`;

export const SQLITE_URL = `file:${WORK_DIR}/sqlite.db`;
export const OUTSIDE_SQLITE_URL = `file:${WORK_DIR}/outside.db`;

/** The server the e2e database is created on; override for a PostgreSQL elsewhere. */
export const POSTGRES_ADMIN_URL = process.env.E2E_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * A fresh database name per run, chosen once by the runner: the config is evaluated again in every
 * worker, which inherit the runner's environment and so see the same name.
 */
export function postgresTestUrl(): string {
  process.env.WCUC_E2E_PG_DB ||= `wcuc_e2e_${randomBytes(4).toString("hex")}`;
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${process.env.WCUC_E2E_PG_DB}`;
  return url.toString();
}

/** A WeChat in-app browser (iOS); the app only lets MicroMessenger browsers log in when browser-only is on. */
export const WECHAT_USER_AGENT =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN";

/** Browser context options of WeChat's in-app browser on a phone. */
export const WECHAT_PHONE = {
  userAgent: WECHAT_USER_AGENT,
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  locale: "zh-CN",
  timezoneId: "Asia/Shanghai",
};

/** The message endpoint's Token and EncodingAESKey of the apps under test (the simulator's push takes them per push). */
export const E2E_MESSAGE_TOKEN = "e2eMessageToken7Qm2Lx9V";
export const E2E_ENCODING_AES_KEY = "e2eAesKey0123456789abcdefghijklmnopqrstuvwx";

/** The internal API's bearer secret of the apps under test (orders from "other servers" in the pay specs). */
export const E2E_INTERNAL_SECRET = "e2e-internal-api-secret-Pq7Wm2Zx9Kd4Lt8";

/** Production-mode settings of every app under test: test secrets, the simulator as WeChat. */
export function appEnv(port: number, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
    PORT: String(port),
    APP_URL: appUrl(port),
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: "e2e-session-secret-7Qm2Lx9Vb4Nc8Rt1Zk6Hp3Wd",
    TOKEN_ENCRYPTION_KEY: "e2e-token-key-Jf5Ys8Ug2Ea7Ko4Ti9Bn1Xc6Mv",
    AUTH_SECRET: "e2e-staff-auth-secret-Rw3Hq8Nd5Zt2Lc7Vk",
    WECHAT_APP_ID: "wx5e1f0c0de0000001",
    WECHAT_APP_SECRET: "simsecret0123456789abcdef01234567",
    WECHAT_OAUTH_BASE: SIM_URL,
    WECHAT_API_BASE: SIM_URL,
    WECHAT_TOKEN: E2E_MESSAGE_TOKEN,
    WECHAT_ENCODING_AES_KEY: E2E_ENCODING_AES_KEY,
    INTERNAL_API_SECRET: E2E_INTERNAL_SECRET,
    // WeChat Pay: the simulator's merchant (no keys of our own), so the cashier and 体验支付 run.
    WECHAT_PAY_BASE: SIM_URL,
    PAY_WEBHOOK_SECRET: "e2e-pay-webhook-secret-Gq4Tn7Wz2Lm9Xc5Rb8",
    ...extra,
  };
}
