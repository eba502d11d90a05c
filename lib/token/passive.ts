// Step "passive refresh": a caller got 40001/40014/42001 with a value. It is expired only if it is
// still the current one (compare-and-expire), so the reports of every process collapse onto one fetch,
// and reports of an already replaced value cost nothing.
import { log } from "@/lib/log";
import type { CredentialKind } from "@/lib/wechat/token";
import { refresh } from "./fetch";
import { single, type Credential, type TokenState } from "./state";
import { credentialHash, expireIfCurrent } from "./store";

/** Replaces `value` if it is still current; returns the value to retry with. */
export function reportInvalid(s: TokenState, kind: CredentialKind, value: string): Promise<Credential> {
  const hash = credentialHash(value);
  s.cache.delete(kind);
  // Concurrent reports of one value in this process share one compare-and-expire and one wait.
  return single(s, `passive:${kind}:${hash}`, async () => {
    const expired = await expireIfCurrent(s.deps.db, s.deps.appId, kind, hash, s.deps.now());
    if (expired) {
      log.warn("credential_reported_invalid", { kind, fingerprint: hash.slice(0, 8), instance: s.deps.instance });
    }
    return refresh(s, kind, (row) => row.valueHash === hash, { reason: "passive", reportedHash: hash });
  });
}
