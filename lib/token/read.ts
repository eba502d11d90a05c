// Step "read": readers take the current value from the one-second process cache or the database and
// never wait while it is usable; only a missing, expired or invalidated value makes a caller wait for
// a fetch (fetch.ts).
import type { CredentialKind } from "@/lib/wechat/token";
import { refresh } from "./fetch";
import { remember, single, usable, usableAt, type Credential, type TokenState } from "./state";
import { readCredential } from "./store";

export function read(s: TokenState, kind: CredentialKind): Promise<Credential> {
  const now = s.deps.now().getTime();
  const cached = s.cache.get(kind);
  if (cached && now - cached.checkedAt < s.cacheMs && usableAt(cached.credential.expiresAt, now)) {
    return Promise.resolve(cached.credential);
  }
  return single(s, `read:${kind}`, async () => {
    const row = await readCredential(s.deps.db, s.deps.appId, kind);
    if (row && usable(s, row)) return remember(s, row);
    return refresh(s, kind, (r) => !usable(s, r), { reason: "missing" });
  });
}
