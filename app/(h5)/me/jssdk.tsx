"use client";
// wx.config for /me, signed by the central jsapi_ticket (/api/wechat/jssdk-config). Only inside
// WeChat's browser; the JS-SDK script from res.wx.qq.com is loaded only against the real WeChat
// (`loadScript`), never against the simulator or in tests. The signed config is also written to data
// attributes, so tests can check the signature the way WeChat would.
import { useEffect, useState } from "react";

interface JssdkConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
}

interface Wx {
  config(options: JssdkConfig & { debug: boolean; jsApiList: string[] }): void;
  ready(callback: () => void): void;
  error(callback: (reason: unknown) => void): void;
}

/** The version whose requests /me's Content-Security-Policy allows (lib/csp.ts, WECHAT_JSSDK): read it again before changing. */
export const JWEIXIN_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
const JS_API_LIST = ["updateAppMessageShareData", "updateTimelineShareData"];

function loadWx(): Promise<Wx> {
  const existing = (window as unknown as { wx?: Wx }).wx;
  if (existing) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = JWEIXIN_URL;
    script.async = true;
    script.onload = () => {
      const wx = (window as unknown as { wx?: Wx }).wx;
      if (wx) resolve(wx);
      else reject(new Error("jweixin loaded without wx"));
    };
    script.onerror = () => reject(new Error("jweixin failed to load"));
    document.head.appendChild(script);
  });
}

type State = "idle" | "signed" | "ready" | "error";

export function WeChatJssdk({ loadScript }: { loadScript: boolean }) {
  const [state, setState] = useState<State>("idle");
  const [config, setConfig] = useState<JssdkConfig | null>(null);

  useEffect(() => {
    if (!/MicroMessenger\//i.test(navigator.userAgent)) return;
    let cancelled = false;
    (async () => {
      // WeChat signs the URL as the page has it, without the fragment.
      const url = window.location.href.split("#")[0] ?? "";
      const res = await fetch(`/api/wechat/jssdk-config?url=${encodeURIComponent(url)}`, { cache: "no-store" });
      if (!res.ok) throw new Error(`jssdk-config ${res.status}`);
      const signed = (await res.json()) as JssdkConfig;
      if (cancelled) return;
      setConfig(signed);
      setState("signed");
      if (!loadScript) return;
      const wx = await loadWx();
      wx.config({ debug: false, ...signed, jsApiList: JS_API_LIST });
      wx.ready(() => !cancelled && setState("ready"));
      wx.error(() => !cancelled && setState("error"));
    })().catch(() => {
      if (!cancelled) setState("error");
    });
    return () => {
      cancelled = true;
    };
  }, [loadScript]);

  return (
    <p
      className="sr-only"
      data-testid="jssdk-status"
      data-state={state}
      data-timestamp={config?.timestamp}
      data-nonce={config?.nonceStr}
      data-signature={config?.signature}
    >
      {state === "ready" ? "微信 JS-SDK 已就绪" : state === "error" ? "微信 JS-SDK 配置失败" : ""}
    </p>
  );
}
