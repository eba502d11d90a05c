// next-auth's endpoints for the admin console's staff (csrf, session, callback/credentials, signout).
import { handlers } from "@/lib/admin/auth";

export const { GET, POST } = handlers;
