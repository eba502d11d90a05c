// Configuration, read once and validated at start-up. In development every variable has a default
// that points at the local simulator; in production a missing or weak secret stops start-up.
import { z } from "zod";
import { DEFAULT_DATABASE_URL, databaseKind } from "@/prisma/database-url";
import { REAL_PAY_BASE, parseAllowedOrigins, resolvePaySettings, type PaySettings } from "@/lib/pay/settings";

export { REAL_PAY_BASE, REAL_PAY_BACKUP_BASE } from "@/lib/pay/settings";

export const REAL_OAUTH_BASE = "https://open.weixin.qq.com";
export const REAL_API_BASE = "https://api.weixin.qq.com";

/** The simulator's app and where `npm run dev` starts it (simulator/cli.ts). */
export const SIMULATOR_DEFAULTS = {
  url: "http://127.0.0.1:4010",
  appId: "wx5e1f0c0de0000001",
  appSecret: "simsecret0123456789abcdef01234567",
  /** The message endpoint's Token and EncodingAESKey the simulator signs and encrypts pushes with. */
  messageToken: "simmessagetoken2026",
  encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
} as const;

export const REAL_API_BACKUP_BASE = "https://api2.weixin.qq.com";

// Known development values: accepted in development, refused in production.
const DEV_SESSION_SECRET = "dev-only-session-secret-not-for-production-0123";
const DEV_TOKEN_KEY = "dev-only-token-encryption-key-not-for-production";
const DEV_AUTH_SECRET = "dev-only-staff-auth-secret-not-for-production-4567";
const DEV_INTERNAL_SECRET = "dev-only-internal-api-secret-not-for-production-89";
const DEV_PAY_WEBHOOK_SECRET = "dev-only-pay-webhook-secret-not-for-production-7";
const WEAK_VALUES = new Set<string>([
  DEV_SESSION_SECRET,
  DEV_TOKEN_KEY,
  DEV_AUTH_SECRET,
  DEV_INTERNAL_SECRET,
  DEV_PAY_WEBHOOK_SECRET,
  SIMULATOR_DEFAULTS.appSecret,
  SIMULATOR_DEFAULTS.messageToken,
  SIMULATOR_DEFAULTS.encodingAesKey,
]);

const secret = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .min(32, `${name} must be at least 32 characters`)
    .refine((v) => new Set(v).size >= 10, `${name} is too weak (too few distinct characters)`);

const booleanish = z
  .enum(["1", "0", "true", "false", "on", "off"])
  .transform((v) => v === "1" || v === "true" || v === "on");

const origin = (name: string) =>
  z.url(`${name} must be an absolute URL`).refine((v) => /^https?:\/\//.test(v), `${name} must be http(s)`);

/** What the pay variables resolved to during the parse (the keys are loaded once). */
interface Resolved {
  pay?: ReturnType<typeof resolvePaySettings>;
}

function schemaFor(production: boolean, resolved: Resolved = {}) {
  const dev = <T>(value: T) => (production ? undefined : value);
  return z
    .object({
      APP_URL: origin("APP_URL").default("http://localhost:3000"),
      PORT: z.coerce.number().int().min(1).max(65535).default(3000),
      DATABASE_URL: z
        .string()
        .default(DEFAULT_DATABASE_URL)
        .refine((v) => {
          try {
            databaseKind(v);
            return true;
          } catch {
            return false;
          }
        }, "DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)"),
      SESSION_SECRET: production ? secret("SESSION_SECRET") : secret("SESSION_SECRET").default(DEV_SESSION_SECRET),
      TOKEN_ENCRYPTION_KEY: production
        ? secret("TOKEN_ENCRYPTION_KEY")
        : secret("TOKEN_ENCRYPTION_KEY").default(DEV_TOKEN_KEY),
      /** Encrypts the admin console's staff sessions (next-auth JWT). */
      AUTH_SECRET: production ? secret("AUTH_SECRET") : secret("AUTH_SECRET").default(DEV_AUTH_SECRET),
      WECHAT_APP_ID: production
        ? z.string({ error: "WECHAT_APP_ID is required" }).regex(/^wx[0-9a-zA-Z]{8,30}$/, "WECHAT_APP_ID looks wrong")
        : z.string().default(SIMULATOR_DEFAULTS.appId),
      WECHAT_APP_SECRET: production
        ? z.string({ error: "WECHAT_APP_SECRET is required" }).min(16, "WECHAT_APP_SECRET looks wrong")
        : z.string().default(SIMULATOR_DEFAULTS.appSecret),
      WECHAT_OAUTH_BASE: origin("WECHAT_OAUTH_BASE").default(dev(SIMULATOR_DEFAULTS.url) ?? REAL_OAUTH_BASE),
      WECHAT_API_BASE: origin("WECHAT_API_BASE").default(dev(SIMULATOR_DEFAULTS.url) ?? REAL_API_BASE),
      /** Where cgi-bin calls go while WECHAT_API_BASE fails (transport errors, 5xx). */
      WECHAT_API_BACKUP_BASE: origin("WECHAT_API_BACKUP_BASE").default(
        dev(SIMULATOR_DEFAULTS.url) ?? REAL_API_BACKUP_BASE,
      ),
      /** stable: cgi-bin/stable_token (default); classic: cgi-bin/token. */
      WECHAT_TOKEN_API: z
        .enum(["stable", "classic"], { error: "WECHAT_TOKEN_API must be stable or classic" })
        .default("stable"),
      /**
       * Bearer secret of /api/internal/wechat/* (other servers take the access_token from there).
       * Unset in production: the internal API is off.
       */
      INTERNAL_API_SECRET: production
        ? secret("INTERNAL_API_SECRET").optional()
        : secret("INTERNAL_API_SECRET").default(DEV_INTERNAL_SECRET),
      /** The message endpoint's Token (公众号 → 基本配置 → 服务器配置). Unset in production: the endpoint is off. */
      WECHAT_TOKEN: production
        ? z
            .string()
            .regex(/^[A-Za-z0-9]{3,32}$/, "WECHAT_TOKEN must be 3-32 letters or digits")
            .optional()
        : z
            .string()
            .regex(/^[A-Za-z0-9]{3,32}$/, "WECHAT_TOKEN must be 3-32 letters or digits")
            .default(SIMULATOR_DEFAULTS.messageToken),
      /** EncodingAESKey (43 characters): needed for the compatible and safe (encrypted) modes. */
      WECHAT_ENCODING_AES_KEY: production
        ? z
            .string()
            .regex(/^[A-Za-z0-9]{43}$/, "WECHAT_ENCODING_AES_KEY must be 43 letters or digits")
            .optional()
        : z
            .string()
            .regex(/^[A-Za-z0-9]{43}$/, "WECHAT_ENCODING_AES_KEY must be 43 letters or digits")
            .default(SIMULATOR_DEFAULTS.encodingAesKey),
      /**
       * How many reverse proxies of ours stand in front of the app, each appending to X-Forwarded-For
       * (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`). 0 (default): none, so no
       * client address can be believed (login histories and logs record none, per-IP limits are off).
       */
      TRUST_PROXY_HOPS: z.coerce
        .number({ error: "TRUST_PROXY_HOPS must be a whole number from 0 to 10" })
        .int({ error: "TRUST_PROXY_HOPS must be a whole number from 0 to 10" })
        .min(0, { error: "TRUST_PROXY_HOPS must be a whole number from 0 to 10" })
        .max(10, { error: "TRUST_PROXY_HOPS must be a whole number from 0 to 10" })
        .default(0),
      /**
       * Login starts (each writes a login state) a client address may make per minute, when a trusted
       * proxy says who the client is (TRUST_PROXY_HOPS); beyond it the start is refused with 429.
       */
      LOGIN_STARTS_PER_MINUTE_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(30),
      /** Login starts one app process accepts per second, all clients together (a flood from many addresses). */
      LOGIN_STARTS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(200),
      /** Show the "open in WeChat" page to other browsers. Default: on against real WeChat, off against the simulator. */
      WECHAT_BROWSER_ONLY: booleanish.optional(),
      /** WeChat Pay (lib/pay/settings.ts): the merchant's six settings, all or none; checked in superRefine. */
      WECHAT_PAY_MCHID: z
        .string()
        .regex(/^\d{6,32}$/, "WECHAT_PAY_MCHID must be the merchant number (商户号, digits)")
        .optional(),
      /** The merchant's API private key (apiclient_key.pem): the PEM itself, or a path to it. */
      WECHAT_PAY_PRIVATE_KEY: z.string().optional(),
      WECHAT_PAY_CERT_SERIAL: z
        .string()
        .regex(/^[0-9A-Fa-f]{8,64}$/, "WECHAT_PAY_CERT_SERIAL must be the API certificate's serial number (hex)")
        .optional(),
      WECHAT_PAY_API_V3_KEY: z.string().optional(),
      /** WeChat Pay's public key (微信支付公钥): the PEM itself, or a path to it. */
      WECHAT_PAY_PUBLIC_KEY: z.string().optional(),
      WECHAT_PAY_PUBLIC_KEY_ID: z
        .string()
        .regex(/^PUB_KEY_ID_[0-9A-Za-z]{1,64}$/, "WECHAT_PAY_PUBLIC_KEY_ID must look like PUB_KEY_ID_0114…")
        .optional(),
      /** api.mch.weixin.qq.com in production (failing over to api2); the simulator in development. */
      WECHAT_PAY_BASE: origin("WECHAT_PAY_BASE").default(dev(SIMULATOR_DEFAULTS.url) ?? REAL_PAY_BASE),
      /** Origins an order's returnUrl and webhookUrl may be on (comma-separated). */
      PAY_ALLOWED_ORIGINS: z.string().optional(),
      /** Signs the webhooks to other servers (HMAC-SHA256). Required in production when payments are on. */
      PAY_WEBHOOK_SECRET: production
        ? secret("PAY_WEBHOOK_SECRET").optional()
        : secret("PAY_WEBHOOK_SECRET").default(DEV_PAY_WEBHOOK_SECRET),
      /** Retention (lib/retention.ts): a login state is deleted this many seconds after it expired. */
      RETAIN_LOGIN_STATE_SECONDS: z.coerce.number().int().min(0).default(3600),
      /** A push's replay-guard nonce is kept this many seconds past its window. */
      RETAIN_PUSH_NONCE_SECONDS: z.coerce.number().int().min(0).default(0),
      /** A finished job of the SQLite runner is kept this many seconds (pg-boss archives its own). */
      RETAIN_JOBS_SECONDS: z.coerce
        .number()
        .int()
        .min(0)
        .default(7 * 24 * 3600),
      /** A staff sign-in attempt is kept this long (the limits look back 15 minutes). Default 30 days. */
      RETAIN_SIGNIN_ATTEMPT_SECONDS: z.coerce
        .number()
        .int()
        .min(3600)
        .default(30 * 24 * 3600),
      /**
       * A token fetch's log line (CredentialFetch) is kept this long: the token card counts today's and
       * the backoff reads the last one, so at least two days. Default 30 days.
       */
      RETAIN_CREDENTIAL_FETCH_SECONDS: z.coerce
        .number()
        .int()
        .min(2 * 24 * 3600)
        .default(30 * 24 * 3600),
      /**
       * A handled push (WeChatEvent done or failed; pending ones are kept until applied) is kept this long:
       * a person's timeline shows the pushes of this period. Default 90 days.
       */
      RETAIN_EVENT_SECONDS: z.coerce
        .number()
        .int()
        .min(24 * 3600)
        .default(90 * 24 * 3600),
      /** How often the retention job runs, in seconds. */
      RETENTION_EVERY_SECONDS: z.coerce.number().int().min(60).default(600),
    })
    .superRefine((env, ctx) => {
      const pay = (resolved.pay = resolvePaySettings(env));
      for (const problem of pay.problems)
        ctx.addIssue({ code: "custom", path: [problem.variable], message: problem.message });
      const allowed = parseAllowedOrigins(env.PAY_ALLOWED_ORIGINS);
      if (allowed.problem) {
        ctx.addIssue({
          code: "custom",
          path: ["PAY_ALLOWED_ORIGINS"],
          message: `PAY_ALLOWED_ORIGINS: ${allowed.problem}`,
        });
      }
      if (!production) return;
      if (pay.settings.mode !== "off" && env.PAY_WEBHOOK_SECRET === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["PAY_WEBHOOK_SECRET"],
          message: "PAY_WEBHOOK_SECRET is required when WeChat Pay is configured (it signs the order webhooks)",
        });
      }
      if (
        pay.settings.mode === "merchant" &&
        pay.settings.backup !== undefined &&
        !env.APP_URL.startsWith("https://")
      ) {
        ctx.addIssue({
          code: "custom",
          path: ["APP_URL"],
          message: "APP_URL must be https with WeChat Pay: it is the notify_url's origin",
        });
      }
      for (const key of [
        "SESSION_SECRET",
        "TOKEN_ENCRYPTION_KEY",
        "AUTH_SECRET",
        "INTERNAL_API_SECRET",
        "WECHAT_TOKEN",
        "WECHAT_ENCODING_AES_KEY",
        "PAY_WEBHOOK_SECRET",
      ] as const) {
        const value = env[key];
        if (value !== undefined && WEAK_VALUES.has(value)) {
          ctx.addIssue({ code: "custom", path: [key], message: `${key} is a development default` });
        }
      }
      if (env.SESSION_SECRET === env.TOKEN_ENCRYPTION_KEY) {
        ctx.addIssue({
          code: "custom",
          path: ["TOKEN_ENCRYPTION_KEY"],
          message: "TOKEN_ENCRYPTION_KEY must differ from SESSION_SECRET",
        });
      }
      if (env.AUTH_SECRET === env.SESSION_SECRET || env.AUTH_SECRET === env.TOKEN_ENCRYPTION_KEY) {
        ctx.addIssue({
          code: "custom",
          path: ["AUTH_SECRET"],
          message: "AUTH_SECRET must differ from SESSION_SECRET and TOKEN_ENCRYPTION_KEY",
        });
      }
    });
}

/** The merchant's key variables never stay on the parsed env: they live in `pay` (lib/pay/settings.ts). */
type KeyVariable = "WECHAT_PAY_PRIVATE_KEY" | "WECHAT_PAY_API_V3_KEY" | "WECHAT_PAY_PUBLIC_KEY";

export type Env = Omit<z.output<ReturnType<typeof schemaFor>>, KeyVariable> & {
  /** WeChat Pay: off, the simulator's merchant, or ours (with the keys loaded once). */
  readonly pay: PaySettings;
  /** PAY_ALLOWED_ORIGINS, normalised. */
  readonly payAllowedOrigins: readonly string[];
  readonly usesSimulator: boolean;
  readonly browserOnly: boolean;
  readonly secureCookies: boolean;
};

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses an environment; empty strings count as unset (t3-env's emptyStringAsUndefined). */
export function parseEnv(source: Record<string, string | undefined>, production: boolean): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const resolved: Resolved = {};
  const result = schemaFor(production, resolved).safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "env"}: ${i.message}`);
    throw new EnvError(`Invalid configuration (${production ? "production" : "development"}):\n${lines.join("\n")}`);
  }
  const { WECHAT_PAY_PRIVATE_KEY: _k, WECHAT_PAY_API_V3_KEY: _v, WECHAT_PAY_PUBLIC_KEY: _p, ...env } = result.data;
  const usesSimulator = env.WECHAT_OAUTH_BASE !== REAL_OAUTH_BASE;
  return Object.freeze({
    ...env,
    pay: (resolved.pay ?? resolvePaySettings(result.data)).settings,
    payAllowedOrigins: parseAllowedOrigins(env.PAY_ALLOWED_ORIGINS).origins,
    APP_URL: env.APP_URL.replace(/\/+$/, ""),
    usesSimulator,
    browserOnly: env.WECHAT_BROWSER_ONLY ?? !usesSimulator,
    secureCookies: env.APP_URL.startsWith("https://"),
  });
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env, process.env.NODE_ENV === "production");
  return cached;
}
