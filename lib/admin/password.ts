import "server-only";
// Staff passwords: argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane), as PHC strings.
// @node-rs/argon2 was chosen over `argon2`: prebuilt N-API binaries, no node-gyp, the same PHC format.
import { hash, verify } from "@node-rs/argon2";

export const PASSWORD_MIN_LENGTH = 12;
/** Hashing a megabyte of "password" would still be cheap, but nobody types one: refuse early. */
export const PASSWORD_MAX_LENGTH = 256;

const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * A hash of a random string nobody knows, with the same parameters: verifying against it costs what a
 * real verify costs, so an unknown email answers no faster than a wrong password.
 */
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$7GUno6NEIdrYhbEmv2y+IQ$D9VL7+s8JZ+qAoZ/qRb/f5cBwuYhInHvnvCxs0dbstk";

/** Why `password` may not be used (Chinese, for the form and the CLI), or null when it may. */
export function passwordProblem(password: string): string | null {
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_LENGTH) return `密码至少 ${PASSWORD_MIN_LENGTH} 个字符。`;
  if (length > PASSWORD_MAX_LENGTH) return `密码最多 ${PASSWORD_MAX_LENGTH} 个字符。`;
  if (new Set(password).size < 5) return "密码过于简单：重复字符太多。";
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** True when `password` matches `passwordHash`; with no hash, a verify of the dummy hash, then false. */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  // Over-long input is refused by length, but only after spending the same time as a real check.
  const candidate = password.length > PASSWORD_MAX_LENGTH * 4 ? "" : password;
  try {
    const ok = await verify(passwordHash ?? DUMMY_HASH, candidate);
    return ok && passwordHash != null && candidate === password;
  } catch {
    // A malformed stored hash is a failed sign-in, not a crash.
    return false;
  }
}
