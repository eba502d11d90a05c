"use server";
// First run: creates the first admin with the one-time token from the server's log (lib/admin/setup.ts).
import { redirect } from "next/navigation";
import { createFirstAdmin, SetupError } from "@/lib/admin/setup";
import { StaffInputError } from "@/lib/admin/staff";
import { services } from "@/lib/services";

export interface SetupState {
  readonly error: string | null;
  readonly email: string;
}

export async function setupAction(_previous: SetupState, form: FormData): Promise<SetupState> {
  const token = String(form.get("token") ?? "");
  const email = String(form.get("email") ?? "").slice(0, 254);
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("confirm") ?? "")) return { error: "两次输入的密码不一致。", email };
  try {
    await createFirstAdmin(services.db, { token, email, password });
  } catch (err) {
    if (err instanceof SetupError || err instanceof StaffInputError) return { error: err.message, email };
    throw err;
  }
  // Sign-in says the admin was created and has the email filled in: only the password is left to type.
  redirect(`/admin/signin?setup=done&email=${encodeURIComponent(email.trim().toLowerCase())}`);
}
