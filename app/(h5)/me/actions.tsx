"use client";
// The /me actions, the way WeChat's own pages answer a tap: a loading toast while the request runs, a
// success toast when done, a dialog when something went wrong and the user has to read why.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Dialog, Toast } from "../weui";

type ApiError = { error?: { code?: string; message?: string; errcode?: number; reauthorizeUrl?: string } };

/** How long the success toast stays, as in WeUI's examples. */
const TOAST_MS = 2000;

/**
 * A page left for WeChat's consent page may come back from the back/forward cache with its loading toast
 * still on: clear it whenever the page is shown again.
 */
function useResetOnPageShow(reset: () => void) {
  useEffect(() => {
    const onShow = (event: PageTransitionEvent) => event.persisted && reset();
    window.addEventListener("pageshow", onShow);
    return () => window.removeEventListener("pageshow", onShow);
  }, [reset]);
}

/** 完善资料: an ordinary link to the consent login, with a loading toast until WeChat's page opens. */
export function UpgradeLink({ href, children }: { href: string; children: React.ReactNode }) {
  const [leaving, setLeaving] = useState(false);
  useResetOnPageShow(() => setLeaving(false));
  return (
    <div className="h5-action">
      <a href={href} data-testid="upgrade" onClick={() => setLeaving(true)} className="weui-btn weui-btn_primary">
        {children}
      </a>
      {leaving && <Toast kind="loading">正在跳转</Toast>}
    </div>
  );
}

export function RefreshProfileButton() {
  const router = useRouter();
  const [state, setState] = useState<"idle" | "busy" | "done">("idle");
  const [error, setError] = useState<string | null>(null);
  useResetOnPageShow(() => setState("idle"));

  useEffect(() => {
    if (state !== "done") return;
    const timer = setTimeout(() => setState("idle"), TOAST_MS);
    return () => clearTimeout(timer);
  }, [state]);

  async function refresh() {
    setState("busy");
    setError(null);
    try {
      const res = await fetch("/api/me/profile/refresh", { method: "POST" });
      if (res.ok) {
        setState("done");
        router.refresh();
        return;
      }
      const body = (await res.json().catch(() => ({}))) as ApiError;
      // The refresh_token is gone (30 days, or revoked): authorize again, then come back. The loading
      // toast stays on until WeChat's page opens.
      if (body.error?.reauthorizeUrl) {
        window.location.assign(body.error.reauthorizeUrl);
        return;
      }
      setError(body.error?.message ?? "更新失败，请稍后重试");
    } catch {
      setError("网络异常，请稍后重试");
    }
    setState("idle");
  }

  return (
    <div className="h5-action">
      <button
        type="button"
        onClick={refresh}
        disabled={state === "busy"}
        data-testid="refresh-profile"
        className="weui-btn weui-btn_default"
      >
        刷新微信资料
      </button>
      {state === "busy" && <Toast kind="loading">正在更新</Toast>}
      {state === "done" && (
        <Toast kind="success" testId="refresh-status">
          资料已更新
        </Toast>
      )}
      {error && (
        <Dialog title="更新失败" testId="refresh-error" onClose={() => setError(null)}>
          {error}
        </Dialog>
      )}
    </div>
  );
}

export function LogoutButton() {
  const [busy, setBusy] = useState(false);
  useResetOnPageShow(() => setBusy(false));
  async function logout() {
    setBusy(true);
    await fetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
    // A full load, not a client navigation: nothing of the signed-in page may stay in memory.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign("/");
  }
  return (
    <div className="h5-action">
      <button type="button" onClick={logout} disabled={busy} data-testid="logout" className="weui-btn weui-btn_warn">
        退出登录
      </button>
      {busy && <Toast kind="loading">正在退出</Toast>}
    </div>
  );
}

/** 退出所有设备: every session of this person ends, on every device, after a confirmation. */
export function LogoutEverywhereButton() {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  useResetOnPageShow(() => setBusy(false));
  async function logoutEverywhere() {
    setAsking(false);
    setBusy(true);
    await fetch("/api/auth/logout/everywhere", { method: "POST" }).catch(() => undefined);
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    window.location.assign("/");
  }
  return (
    <div className="h5-action">
      <button
        type="button"
        onClick={() => setAsking(true)}
        disabled={busy}
        data-testid="logout-everywhere"
        className="weui-btn weui-btn_default"
      >
        退出所有设备
      </button>
      {asking && (
        <Dialog
          title="退出所有设备？"
          closeLabel="取消"
          confirm={{ label: "全部退出", onConfirm: () => void logoutEverywhere() }}
          onClose={() => setAsking(false)}
          testId="logout-everywhere-dialog"
        >
          你在所有设备（包括本机）上的登录都将失效，需要重新进入公众号页面登录。
        </Dialog>
      )}
      {busy && <Toast kind="loading">正在退出</Toast>}
    </div>
  );
}
