"use client";
// 领取到卡包: a cardExt signed for this person (GET /api/wechat/card-ext, which checks the card, its stock
// and the person's get_limit first and says why not in Chinese), then wx.addCard after wx.config (signed by
// /api/wechat/jssdk-config). The script is WeChat's JS-SDK, or `standIn` against the simulator.
import { useState } from "react";
import { Dialog, Toast } from "../../weui";
import { JWEIXIN_URL } from "../../me/jssdk";

interface Wx {
  config(options: Record<string, unknown>): void;
  ready(callback: () => void): void;
  error(callback: (reason: unknown) => void): void;
  addCard(options: {
    cardList: { cardId: string; cardExt: string }[];
    success?: (res: { cardList?: { cardId: string; isSuccess: boolean }[] }) => void;
    cancel?: () => void;
    fail?: (res: { errMsg?: string }) => void;
  }): void;
}

let loading: Promise<Wx> | null = null;

function loadWx(src: string): Promise<Wx> {
  const existing = (window as unknown as { wx?: Wx }).wx;
  if (existing && typeof existing.addCard === "function") return Promise.resolve(existing);
  loading ??= new Promise<Wx>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = () => {
      const wx = (window as unknown as { wx?: Wx }).wx;
      if (wx) resolve(wx);
      else reject(new Error("no wx"));
    };
    script.onerror = () => reject(new Error("wx failed to load"));
    document.head.appendChild(script);
  }).catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

async function configured(src: string): Promise<Wx> {
  const url = window.location.href.split("#")[0] ?? "";
  const res = await fetch(`/api/wechat/jssdk-config?url=${encodeURIComponent(url)}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`jssdk-config ${res.status}`);
  const signed = (await res.json()) as Record<string, unknown>;
  const wx = await loadWx(src);
  return new Promise<Wx>((resolve, reject) => {
    wx.config({ debug: false, ...signed, jsApiList: ["addCard"] });
    wx.ready(() => resolve(wx));
    wx.error(reject);
  });
}

type State = { kind: "idle" } | { kind: "working" } | { kind: "taken" } | { kind: "failed"; message: string };

export function TakeCard({ cardId, standIn }: { cardId: string; standIn: string | null }) {
  const [state, setState] = useState<State>({ kind: "idle" });

  async function take() {
    setState({ kind: "working" });
    try {
      const res = await fetch(`/api/wechat/card-ext?cardId=${encodeURIComponent(cardId)}&outerStr=h5`, {
        cache: "no-store",
      });
      const body = (await res.json().catch(() => ({}))) as {
        cardId?: string;
        cardExt?: string;
        claimId?: string;
        error?: { message?: string };
      };
      if (!res.ok || !body.cardId || !body.cardExt) {
        setState({ kind: "failed", message: body.error?.message ?? "暂时无法领取，请稍后再试。" });
        return;
      }
      const wx = await configured(standIn ?? JWEIXIN_URL);
      const entry = { cardId: body.cardId, cardExt: body.cardExt };
      // Not taken after all: the get_limit place the cardExt holds is given back now, not in 5 minutes.
      const release = () => {
        if (body.claimId)
          void fetch("/api/wechat/card-ext/release", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ claimId: body.claimId }),
          }).catch(() => {});
      };
      wx.addCard({
        cardList: [entry],
        success: (result) => {
          if (result.cardList?.every((c) => c.isSuccess) === false) {
            release();
            setState({ kind: "failed", message: "没有领取成功，请稍后再试。" });
          } else setState({ kind: "taken" });
        },
        cancel: () => {
          release();
          setState({ kind: "idle" });
        },
        fail: () => {
          release();
          setState({ kind: "failed", message: "微信没有把券放进卡包，请稍后再试。" });
        },
      });
    } catch {
      setState({ kind: "failed", message: "暂时无法打开微信卡包，请稍后再试。" });
    }
  }

  if (state.kind === "taken")
    return (
      <div className="weui-msg h5-coupon__taken" data-testid="coupon-taken">
        <div className="weui-msg__icon-area">
          <i className="weui-icon-success weui-icon_msg" aria-hidden="true" />
        </div>
        <div className="weui-msg__text-area">
          <h2 className="weui-msg__title">已领取</h2>
          <p className="weui-msg__desc">券已放进你的微信卡包，也可以在「我的卡券」里查看。</p>
        </div>
      </div>
    );

  return (
    <div className="h5-action">
      <button
        type="button"
        className="weui-btn weui-btn_primary"
        data-testid="take-card"
        disabled={state.kind === "working"}
        onClick={() => void take()}
      >
        领取到卡包
      </button>
      {state.kind === "working" && <Toast kind="loading">请稍候</Toast>}
      {state.kind === "failed" && (
        <Dialog title="没有领到" testId="take-card-error" onClose={() => setState({ kind: "idle" })}>
          {state.message}
        </Dialog>
      )}
    </div>
  );
}
