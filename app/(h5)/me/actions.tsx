"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";

type ApiError = { error?: { code?: string; message?: string; errcode?: number; reauthorizeUrl?: string } };

export function RefreshProfileButton() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function refresh() {
    setBusy(true);
    setMessage(null);
    try {
      const res = await fetch("/api/me/profile/refresh", { method: "POST" });
      if (res.ok) {
        setMessage("资料已更新");
        router.refresh();
        return;
      }
      const body = (await res.json().catch(() => ({}))) as ApiError;
      // The refresh_token is gone (30 days, or revoked): authorize again, then come back.
      if (body.error?.reauthorizeUrl) {
        window.location.assign(body.error.reauthorizeUrl);
        return;
      }
      setMessage(body.error?.message ?? "更新失败，请稍后重试");
    } catch {
      setMessage("网络异常，请稍后重试");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <button
        type="button"
        onClick={refresh}
        disabled={busy}
        data-testid="refresh-profile"
        className="w-full rounded-lg bg-white px-4 py-3 text-base font-medium text-neutral-800 active:bg-neutral-100 disabled:opacity-60"
      >
        {busy ? "正在更新…" : "刷新微信资料"}
      </button>
      {message && (
        <p role="status" data-testid="refresh-status" className="mt-2 text-center text-sm text-neutral-500">
          {message}
        </p>
      )}
    </div>
  );
}

export function LogoutButton() {
  const [busy, setBusy] = useState(false);
  async function logout() {
    setBusy(true);
    await fetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
    // A full load, not a client navigation: nothing of the signed-in page may stay in memory.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign("/");
  }
  return (
    <button
      type="button"
      onClick={logout}
      disabled={busy}
      data-testid="logout"
      className="w-full rounded-lg bg-white px-4 py-3 text-base text-red-600 active:bg-neutral-100 disabled:opacity-60"
    >
      退出登录
    </button>
  );
}
