import { PRIVATE_NO_STORE } from "@/lib/errors";
import { route } from "@/lib/http";
import { refreshProfile } from "@/lib/me";
import { followMergedUser, sessionUserId } from "@/lib/session";
import { loginPath } from "@/lib/auth/login";
import { services } from "@/lib/services";

// The page sends the person to authorize again when the grant is gone or was only snsapi_base.
const reauthorizeUrl = loginPath("snsapi_userinfo", "/me");

export const POST = route({ sameOrigin: true, personal: true, reauthorizeUrl }, async (request) => {
  const userId = await sessionUserId(request);
  const user = await refreshProfile(services.auth, userId);
  if (user.id === userId) return { user };
  // A unionid that appeared merged two records into one: follow the person.
  const response = Response.json({ user }, { headers: PRIVATE_NO_STORE });
  await followMergedUser(request, response, user.id);
  return response;
});
