"use server";
// Sign-in and sign-out of the admin console, as server actions (Next checks their Origin against the
// Host; next-auth's own endpoints check its CSRF token). Only these and the setup action are exempt from
// requireStaffPage: the deny-by-default test checks every other "use server" file under app/admin.
import { AuthError } from "next-auth";
import { signIn, signOutStaff } from "@/lib/admin/auth";
import { safeAdminPath } from "@/lib/admin/paths";
import { signInErrorMessage } from "@/lib/admin/staff";

export interface SignInState {
  readonly error: string | null;
  readonly email: string;
}

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "").slice(0, 254);
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "请输入邮箱和密码。", email };
  try {
    // On success this redirects (throws NEXT_REDIRECT, which must pass through).
    await signIn("credentials", { email, password, redirectTo: safeAdminPath(form.get("callbackUrl")) });
  } catch (err) {
    if (!(err instanceof AuthError) && (err as { type?: unknown })?.type !== "CredentialsSignin") throw err;
    const code = (err as { code?: unknown }).code;
    return { error: signInErrorMessage(code), email };
  }
  return { error: null, email };
}

export async function signOutAction(): Promise<void> {
  await signOutStaff();
}
