"use client";
import { useActionState } from "react";
import { setupAction, type SetupState } from "./actions";

const input = "w-full rounded-lg border border-neutral-300 px-3 py-2.5 text-base outline-none focus:border-wechat";

export function SetupForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<SetupState, FormData>(setupAction, { error: null, email: "" });
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <label className="block">
        <span className="mb-1 block text-sm text-neutral-600">管理员邮箱</span>
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email}
          className={input}
        />
      </label>
      <label className="block">
        <span className="mb-1 block text-sm text-neutral-600">密码（至少 12 个字符）</span>
        <input name="password" type="password" autoComplete="new-password" minLength={12} required className={input} />
      </label>
      <label className="block">
        <span className="mb-1 block text-sm text-neutral-600">再次输入密码</span>
        <input name="confirm" type="password" autoComplete="new-password" minLength={12} required className={input} />
      </label>
      {state.error && (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-lg bg-wechat px-4 py-3 text-base font-medium text-white active:bg-wechat-dark disabled:opacity-60"
      >
        {pending ? "正在创建…" : "创建管理员"}
      </button>
    </form>
  );
}
