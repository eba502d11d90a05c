// What an operator needs to know about each credential on the dashboard, decided from its status: all is
// well, the leader is about to replace it (inside the refresh window, so a new value is coming), it has
// expired, or a caller reported it invalid. Pure, so each boundary is tested on its own.
import { REFRESH_POLICIES, type RefreshPolicy } from "@/lib/wechat/token";
import type { CredentialStatus } from "./status";

export type CredentialHealth = "ok" | "refreshing" | "expired" | "invalidated";

/** The refresh policy a stored credential is renewed by: its API's for the access_token, the tickets'. */
function policyOf(c: Pick<CredentialStatus, "kind" | "source">): RefreshPolicy {
  if (c.kind !== "access_token") return REFRESH_POLICIES.ticket;
  return c.source === "stable" ? REFRESH_POLICIES.stable : REFRESH_POLICIES.classic;
}

export function credentialHealth(
  c: Pick<CredentialStatus, "kind" | "source" | "expiresInSeconds" | "invalidatedAt">,
): CredentialHealth {
  if (c.invalidatedAt) return "invalidated";
  if (c.expiresInSeconds <= 0) return "expired";
  const policy = policyOf(c);
  // The leader refreshes somewhere in [expiry - lead - jitter, expiry - lead]: from then on it may happen.
  if (c.expiresInSeconds * 1000 <= policy.leadMs + policy.jitterMs) return "refreshing";
  return "ok";
}
