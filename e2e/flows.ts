// Steps several specs share, written once.
import type { MePage } from "./pages/me-page";
import type { SimulatorConsent } from "./pages/simulator-consent";
import type { SimClient } from "./sim";

/**
 * Signs `key` in the way a real user gets a profile: silent login on /me, then 完善资料 and 允许 as
 * the same WeChat user. Returns the person's id.
 */
export async function signInWithProfile(
  { me, consent, sim }: { me: MePage; consent: SimulatorConsent; sim: SimClient },
  key: string,
): Promise<string> {
  await sim.selectUser(key);
  await me.open();
  await me.startUpgrade();
  await consent.allowAs(key);
  await me.waitForLoaded();
  const { user } = await me.api();
  if (!user) throw new Error("not signed in after the consent login");
  return user.id;
}

/** Any Han character: user-facing messages are Chinese. */
export const CHINESE = /\p{Script=Han}/u;
