import { PRIVATE_NO_STORE } from "@/lib/errors";
import { route } from "@/lib/http";
import { refreshOwnProfile } from "@/lib/me";
import { followMergedUser, requestSession } from "@/lib/session";
import { loginPath } from "@/lib/auth/login";
import { services } from "@/lib/services";

// The page sends the person to authorize again when the grant is gone or was only snsapi_base.
const reauthorizeUrl = loginPath("snsapi_userinfo", "/me");

export const POST = route({ sameOrigin: true, personal: true, reauthorizeUrl }, async (request) => {
  const session = await requestSession(request);
  const user = await refreshOwnProfile(services.auth, session);
  if (user.id === session?.userId) return { user };
  // A unionid that appeared merged two records into one: follow the person.
  const response = Response.json({ user }, { headers: PRIVATE_NO_STORE });
  await followMergedUser(request, response, user.id);
  return response;
});
