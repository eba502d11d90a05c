import { appDeps } from "@/lib/app";
import { route } from "@/lib/http";
import { getMe } from "@/lib/me";
import { sessionUserId } from "@/lib/session";

export const GET = route({ personal: true }, async (request) => ({
  user: await getMe(appDeps(), await sessionUserId(request)),
}));
