"use client";
// The counter's two steps: 查询 (is this code usable, whose is it) then 核销. A consume that loses to another
// counter (WeChat's 40099) says so in Chinese, and the code is looked up again so its state (已核销) shows.
import Link from "next/link";
import { useCallback, useState } from "react";
import { beijingTime } from "@/app/admin/beijing-time";
import { consoleFetch } from "@/app/admin/console-fetch";
import type { RedeemCheck, RedeemDone } from "@/lib/cards/redeem";
import { CameraScan } from "./camera-scan";

const PRIMARY = "rounded-md bg-emerald-600 px-4 py-2.5 text-base text-white disabled:opacity-50";

type Step = { kind: "idle" } | { kind: "checked"; check: RedeemCheck } | { kind: "done"; done: RedeemDone };

export function RedeemCounter() {
  const [code, setCode] = useState("");
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const check = useCallback(async (value: string, keepError = false) => {
    if (!keepError) setError(null);
    if (value.trim() === "") return setError("请输入券码。");
    setBusy(true);
    const answer = await consoleFetch<{ check: RedeemCheck }>("/api/admin/redeem/check", { body: { code: value } });
    setBusy(false);
    if (answer.kind === "ok") setStep({ kind: "checked", check: answer.data.check });
    if (answer.kind === "error") {
      setStep({ kind: "idle" });
      setError(answer.message);
    }
  }, []);

  const consume = async (value: string) => {
    setError(null);
    setBusy(true);
    const answer = await consoleFetch<{ redeemed: RedeemDone }>("/api/admin/redeem/consume", { body: { code: value } });
    setBusy(false);
    if (answer.kind === "ok") setStep({ kind: "done", done: answer.data.redeemed });
    if (answer.kind === "error") {
      setError(answer.message);
      // What the code is now (已核销 when another counter was first).
      await check(value, true);
    }
  };

  const scanned = useCallback(
    (value: string) => {
      setCode(value);
      void check(value);
    },
    [check],
  );

  const checked = step.kind === "checked" ? step.check : null;
  return (
    <div className="flex flex-col gap-4">
      <form
        className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow-sm"
        aria-label="查询券码"
        onSubmit={(e) => {
          e.preventDefault();
          void check(code);
        }}
      >
        <label className="flex flex-col gap-1 text-sm">
          券码
          <input
            className="rounded-md border border-neutral-300 px-3 py-2.5 font-mono text-lg tracking-wider"
            inputMode="numeric"
            autoComplete="off"
            enterKeyHint="search"
            placeholder="输入顾客出示的券码"
            value={code}
            onChange={(e) => {
              setCode(e.target.value);
              if (step.kind !== "idle") setStep({ kind: "idle" });
            }}
            data-testid="redeem-code"
          />
        </label>
        <button type="submit" className={PRIMARY} disabled={busy} data-testid="redeem-check">
          查询
        </button>
        <CameraScan onCode={scanned} disabled={busy} />
      </form>

      {error && (
        <p role="alert" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="redeem-error">
          {error}
        </p>
      )}

      {checked && (
        <section aria-label="券码信息" className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow-sm">
          <p
            className={`rounded-lg px-4 py-3 text-base font-medium ${checked.canConsume ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}
            data-testid="redeem-status"
            data-can-consume={checked.canConsume ? "1" : "0"}
          >
            {checked.canConsume ? "可以核销" : `不能核销：${checked.statusLabel}`}
            {checked.reason && <span className="mt-1 block text-sm font-normal">{checked.reason}</span>}
          </p>
          <CodeFacts
            code={checked.code}
            card={checked.card}
            wxCardId={checked.wxCardId}
            owner={checked.owner}
            extra={
              checked.validUntil
                ? `${checked.validFrom ? beijingTime(checked.validFrom, "YYYY-MM-DD") : "?"} 至 ${beijingTime(checked.validUntil, "YYYY-MM-DD")}`
                : null
            }
          />
          {checked.canConsume && (
            <button
              type="button"
              className={PRIMARY}
              disabled={busy}
              onClick={() => void consume(checked.code)}
              data-testid="redeem-consume"
            >
              核销
            </button>
          )}
        </section>
      )}

      {step.kind === "done" && (
        <section
          aria-label="核销结果"
          className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow-sm"
          data-testid="redeem-done"
        >
          <p role="status" className="rounded-lg bg-emerald-50 px-4 py-3 text-base font-medium text-emerald-800">
            核销成功
            <span className="mt-1 block text-sm font-normal">
              {beijingTime(step.done.consumedAt, "YYYY-MM-DD HH:mm")}（北京时间），由 {step.done.consumedBy} 核销
            </span>
          </p>
          <CodeFacts
            code={step.done.code}
            card={step.done.card}
            wxCardId={step.done.wxCardId}
            owner={step.done.owner}
            extra={null}
          />
          <button
            type="button"
            className="rounded-md border border-neutral-300 px-4 py-2.5 text-base"
            onClick={() => {
              setCode("");
              setStep({ kind: "idle" });
            }}
            data-testid="redeem-next"
          >
            核销下一张
          </button>
        </section>
      )}
    </div>
  );
}

function CodeFacts({
  code,
  card,
  wxCardId,
  owner,
  extra,
}: Pick<RedeemCheck, "code" | "card" | "wxCardId" | "owner"> & {
  /** The code's validity, when WeChat gave it. */
  extra: string | null;
}) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-2 text-sm">
      <dt className="text-neutral-500">券码</dt>
      <dd className="font-mono break-all">{code}</dd>
      <dt className="text-neutral-500">卡券</dt>
      <dd data-testid="redeem-card">
        {card ? (
          <>
            <Link href={`/admin/cards/${card.id}`} className="text-emerald-700">
              {card.title}
            </Link>
            <span className="text-neutral-500">
              {" "}
              · {card.typeLabel} · {card.brandName}
              {card.deleted ? "（已删除）" : ""}
            </span>
          </>
        ) : (
          <span className="text-neutral-500">
            不是在这里创建的卡券（<span className="font-mono break-all">{wxCardId}</span>）
          </span>
        )}
      </dd>
      <dt className="text-neutral-500">持有人</dt>
      <dd className="flex items-center gap-2" data-testid="redeem-owner">
        {owner.headimgurl && (
          // eslint-disable-next-line @next/next/no-img-element -- a WeChat avatar (img-src allows its hosts)
          <img src={owner.headimgurl} alt="" width={24} height={24} className="h-6 w-6 rounded-full" />
        )}
        {owner.userId ? (
          <Link href={`/admin/users/${owner.userId}`} className="text-emerald-700" data-testid="redeem-owner-link">
            {owner.nickname || "微信用户"}
          </Link>
        ) : (
          <span className="font-mono text-xs break-all text-neutral-500">{owner.openid}（不在用户列表中）</span>
        )}
      </dd>
      {extra && (
        <>
          <dt className="text-neutral-500">有效期</dt>
          <dd>{extra}</dd>
        </>
      )}
    </dl>
  );
}
