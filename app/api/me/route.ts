import { route } from "@/lib/http";
import { getMe } from "@/lib/me";
import { requestSession } from "@/lib/session";
import { services } from "@/lib/services";

export const GET = route({ personal: true }, async (request) => ({
  user: await getMe(services.auth, await requestSession(request)),
}));
