"use client";
import { useActionState } from "react";
import { signInAction, type SignInState } from "./actions";

export function SignInForm({
  callbackUrl,
  initialError,
  initialEmail = "",
}: {
  callbackUrl: string;
  initialError: string | null;
  initialEmail?: string;
}) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {
    error: initialError,
    email: initialEmail,
  });
  return (
    <form action={action} className="space-y-4" data-testid="staff-signin-form">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <label className="block">
        <span className="mb-1 block text-sm text-neutral-600">邮箱</span>
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email}
          className="w-full rounded-lg border border-neutral-300 px-3 py-2.5 text-base outline-none focus:border-wechat"
        />
      </label>
      <label className="block">
        <span className="mb-1 block text-sm text-neutral-600">密码</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="w-full rounded-lg border border-neutral-300 px-3 py-2.5 text-base outline-none focus:border-wechat"
        />
      </label>
      {state.error && (
        <p role="alert" data-testid="signin-error" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-lg bg-wechat px-4 py-3 text-base font-medium text-white active:bg-wechat-dark disabled:opacity-60"
      >
        {pending ? "正在登录…" : "登录"}
      </button>
    </form>
  );
}
