"use client";
// Asks for a code, shows it, polls every 2 s; signed in → returnTo; expired → a new code on request.
import { useEffect, useState } from "react";

type Code = { id: string; expiresAt: string };
type State =
  { kind: "loading" } | { kind: "showing"; code: Code } | { kind: "expired" } | { kind: "error"; message: string };

async function requestCode(): Promise<State> {
  try {
    const response = await fetch("/api/auth/wechat/qr", { method: "POST", headers: { accept: "application/json" } });
    const body = (await response.json().catch(() => ({}))) as Code & { error?: { message?: string } };
    if (!response.ok) return { kind: "error", message: body.error?.message ?? "获取二维码失败，请稍后重试。" };
    return { kind: "showing", code: { id: body.id, expiresAt: body.expiresAt } };
  } catch {
    return { kind: "error", message: "网络异常，请检查网络后重试。" };
  }
}

export function QrLogin({ returnTo }: { returnTo: string }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [round, setRound] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void requestCode().then((next) => {
      if (!cancelled) setState(next);
    });
    return () => {
      cancelled = true;
    };
  }, [round]);

  const id = state.kind === "showing" ? state.code.id : null;
  useEffect(() => {
    if (!id) return;
    const timer = setInterval(() => {
      void fetch(`/api/auth/wechat/qr/${id}`, { headers: { accept: "application/json" }, cache: "no-store" })
        .then((r) => (r.ok ? (r.json() as Promise<{ status: string }>) : { status: "expired" }))
        .then(({ status }) => {
          if (status === "signed_in") {
            clearInterval(timer);
            window.location.assign(returnTo);
          } else if (status === "expired") {
            clearInterval(timer);
            setState({ kind: "expired" });
          }
        })
        .catch(() => undefined);
    }, 2000);
    return () => clearInterval(timer);
  }, [id, returnTo]);

  if (state.kind === "loading") return <p className="weui-msg__desc">正在获取二维码…</p>;
  if (state.kind === "error")
    return (
      <p role="alert" className="weui-msg__desc" data-testid="qr-login-error">
        {state.message}
      </p>
    );
  if (state.kind === "expired")
    return (
      <div data-testid="qr-login-expired">
        <p className="weui-msg__desc">二维码已过期。</p>
        <button type="button" className="weui-btn weui-btn_primary" onClick={() => setRound((r) => r + 1)}>
          刷新二维码
        </button>
      </div>
    );
  return (
    // eslint-disable-next-line @next/next/no-img-element -- an SVG of our own route, bound to this browser
    <img
      data-testid="qr-login-code"
      data-id={state.code.id}
      className="h5-qr"
      src={`/api/auth/wechat/qr/${state.code.id}/image`}
      alt="微信扫码登录二维码"
      width={220}
      height={220}
    />
  );
}
