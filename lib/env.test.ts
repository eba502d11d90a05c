import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, REAL_API_BASE, REAL_OAUTH_BASE, SIMULATOR_DEFAULTS } from "@/lib/env";

const STRONG_SESSION = "Zq8!vT3#kLm9@Wp2$Rx7^Hn4&Jc6*Bd1(Fs5)";
const STRONG_TOKEN_KEY = "Gy7%Ue2+Qa9=Mk4~Tz1?Lw8|Nr3<Vx6>Ci0;";
const STRONG_AUTH_SECRET = "Pk5]Yh8[Ds2{Ob7}Ef4/Wu1-Ia9_Rn6.Gl3";

const production = {
  APP_URL: "https://uc.example.com",
  DATABASE_URL: "postgresql://app@db.internal:5432/uc",
  SESSION_SECRET: STRONG_SESSION,
  TOKEN_ENCRYPTION_KEY: STRONG_TOKEN_KEY,
  AUTH_SECRET: STRONG_AUTH_SECRET,
  WECHAT_APP_ID: "wx1234567890abcdef",
  WECHAT_APP_SECRET: "0123456789abcdef0123456789abcdef",
};

function envError(source: Record<string, string | undefined>, isProduction: boolean): EnvError {
  try {
    parseEnv(source, isProduction);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return err as EnvError;
  }
  throw new Error("expected an EnvError");
}

describe("parseEnv in development", () => {
  it("works with nothing set, pointing at the local simulator", () => {
    const env = parseEnv({}, false);
    expect(env).toMatchObject({
      APP_URL: "http://localhost:3000",
      PORT: 3000,
      DATABASE_URL: "file:./data/dev.db",
      WECHAT_APP_ID: SIMULATOR_DEFAULTS.appId,
      WECHAT_APP_SECRET: SIMULATOR_DEFAULTS.appSecret,
      WECHAT_OAUTH_BASE: SIMULATOR_DEFAULTS.url,
      WECHAT_API_BASE: SIMULATOR_DEFAULTS.url,
      usesSimulator: true,
      browserOnly: false,
      secureCookies: false,
    });
    expect(env.SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(env.TOKEN_ENCRYPTION_KEY).not.toBe(env.SESSION_SECRET);
  });

  it("treats empty strings as unset", () => {
    const env = parseEnv({ APP_URL: "", SESSION_SECRET: "", DATABASE_URL: "", WECHAT_BROWSER_ONLY: "" }, false);
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.DATABASE_URL).toBe("file:./data/dev.db");
    expect(env.SESSION_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(env.browserOnly).toBe(false);
  });

  it("derives browserOnly and secureCookies", () => {
    expect(parseEnv({ WECHAT_BROWSER_ONLY: "1" }, false).browserOnly).toBe(true);
    expect(parseEnv({ WECHAT_BROWSER_ONLY: "off" }, false).browserOnly).toBe(false);
    expect(parseEnv({ APP_URL: "https://uc.example.com/" }, false)).toMatchObject({
      APP_URL: "https://uc.example.com",
      secureCookies: true,
    });
  });

  it("still refuses a short secret that was set explicitly", () => {
    expect(envError({ SESSION_SECRET: "short" }, false).message).toMatch(/SESSION_SECRET: .*at least 32/);
  });
});

describe("parseEnv in production", () => {
  it("accepts a complete configuration and defaults to real WeChat", () => {
    const env = parseEnv(production, true);
    expect(env).toMatchObject({
      WECHAT_OAUTH_BASE: REAL_OAUTH_BASE,
      WECHAT_API_BASE: REAL_API_BASE,
      usesSimulator: false,
      browserOnly: true,
      secureCookies: true,
    });
  });

  it("names every missing variable", () => {
    const err = envError({}, true);
    for (const name of [
      "SESSION_SECRET",
      "TOKEN_ENCRYPTION_KEY",
      "AUTH_SECRET",
      "WECHAT_APP_ID",
      "WECHAT_APP_SECRET",
    ]) {
      expect(err.message).toContain(`${name}: ${name} is required`);
    }
    expect(err.message).toContain("(production)");
  });

  it("counts empty strings as missing", () => {
    const err = envError({ ...production, SESSION_SECRET: "", WECHAT_APP_SECRET: "" }, true);
    expect(err.message).toContain("SESSION_SECRET: SESSION_SECRET is required");
    expect(err.message).toContain("WECHAT_APP_SECRET: WECHAT_APP_SECRET is required");
    expect(err.message).not.toContain("TOKEN_ENCRYPTION_KEY");
  });

  it("refuses short and low-variety secrets, naming each", () => {
    const err = envError({ ...production, SESSION_SECRET: "too-short", TOKEN_ENCRYPTION_KEY: "a".repeat(40) }, true);
    expect(err.message).toContain("SESSION_SECRET: SESSION_SECRET must be at least 32 characters");
    expect(err.message).toContain("TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY is too weak");
  });

  it("refuses the development defaults and the simulator's secret", () => {
    const dev = parseEnv({}, false);
    const err = envError(
      { ...production, SESSION_SECRET: dev.SESSION_SECRET, TOKEN_ENCRYPTION_KEY: SIMULATOR_DEFAULTS.appSecret },
      true,
    );
    expect(err.message).toContain("SESSION_SECRET: SESSION_SECRET is a development default");
    expect(err.message).toContain("TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY is a development default");
    // The message names variables, never the values.
    expect(err.message).not.toContain(dev.SESSION_SECRET);
  });

  it("refuses one secret used for both purposes", () => {
    const err = envError({ ...production, TOKEN_ENCRYPTION_KEY: STRONG_SESSION }, true);
    expect(err.message).toContain("TOKEN_ENCRYPTION_KEY must differ from SESSION_SECRET");
  });

  it("refuses the development AUTH_SECRET and one shared with another secret", () => {
    const dev = parseEnv({}, false);
    expect(envError({ ...production, AUTH_SECRET: dev.AUTH_SECRET }, true).message).toContain(
      "AUTH_SECRET: AUTH_SECRET is a development default",
    );
    expect(envError({ ...production, AUTH_SECRET: STRONG_SESSION }, true).message).toContain(
      "AUTH_SECRET must differ from SESSION_SECRET and TOKEN_ENCRYPTION_KEY",
    );
  });

  it("checks the appid's shape", () => {
    expect(envError({ ...production, WECHAT_APP_ID: "not-an-appid" }, true).message).toContain(
      "WECHAT_APP_ID looks wrong",
    );
  });
});

describe("DATABASE_URL", () => {
  it.each(["file:./data/dev.db", "file:/tmp/x.db", "postgresql://u@h/db", "postgres://u:p@h:5432/db"])(
    "accepts %s",
    (url) => {
      expect(parseEnv({ DATABASE_URL: url }, false).DATABASE_URL).toBe(url);
    },
  );

  it.each(["mysql://u@h/db", "sqlite:./dev.db", "./data/dev.db", "http://db"])("refuses %s", (url) => {
    expect(envError({ DATABASE_URL: url }, false).message).toContain(
      "DATABASE_URL: DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)",
    );
    expect(envError({ ...production, DATABASE_URL: url }, true).message).toContain("DATABASE_URL");
  });
});

describe("URLs", () => {
  it("refuses a non-http APP_URL and WeChat bases", () => {
    const err = envError({ APP_URL: "ftp://uc.example.com", WECHAT_API_BASE: "not a url" }, false);
    expect(err.message).toContain("APP_URL: APP_URL must be http(s)");
    expect(err.message).toContain("WECHAT_API_BASE: WECHAT_API_BASE must be an absolute URL");
  });
});

describe("WeChat Pay", () => {
  it("is the simulator's merchant in development and off in production unless configured", () => {
    expect(parseEnv({}, false).pay).toEqual({ mode: "simulator", base: SIMULATOR_DEFAULTS.url });
    expect(parseEnv(production, true).pay).toEqual({ mode: "off" });
  });

  it("names a variable missing beside the others, and wants PAY_WEBHOOK_SECRET in production", () => {
    expect(envError({ WECHAT_PAY_MCHID: "1900009191" }, false).message).toContain("WECHAT_PAY_PRIVATE_KEY");
    const error = envError({ ...production, WECHAT_PAY_BASE: "http://127.0.0.1:4010" }, true);
    expect(error.message).toContain("PAY_WEBHOOK_SECRET");
    expect(envError({ PAY_ALLOWED_ORIGINS: "https://shop.example.com/x" }, false).message).toContain(
      "PAY_ALLOWED_ORIGINS",
    );
  });
});
