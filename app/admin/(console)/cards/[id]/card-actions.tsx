"use client";
// A card's buttons for admins: stock up or down (card/modifystock, never below zero), read it again from
// WeChat (card/get, for a review whose push never came), delete it (with a confirmation), and give it out:
// a QR code made by card/qrcode/create, optionally tied to a channel QR code, drawn here as SVG and PNG.
import { App } from "antd";
import { useState } from "react";
import { consoleFetch, useConsoleAction } from "@/app/admin/console-fetch";
import { Term } from "@/app/admin/term";
import { ActionResultMessage } from "../../followers/action-result";

const INPUT = "rounded-md border border-neutral-300 px-2 py-1.5 text-sm";
const BUTTON = "rounded-md border border-neutral-300 px-3 py-1.5 text-sm disabled:opacity-50";
const PRIMARY = "rounded-md bg-emerald-600 px-3 py-1.5 text-sm text-white disabled:opacity-50";

/** A reduction below zero is the server's to refuse (422, in Chinese): the rule lives there once. */
export function StockControl({ cardId }: { cardId: string }) {
  const [amount, setAmount] = useState("10");
  const { busy, result, setResult, act } = useConsoleAction();
  const n = Number(amount);
  const valid = /^\d+$/.test(amount.trim()) && n > 0;
  const change = (sign: 1 | -1) => {
    if (!valid) return setResult({ ok: false, message: "请填写要增加或减少的张数（正整数）。" });
    void act(
      consoleFetch(`/api/admin/cards/${cardId}/stock`, { body: { delta: sign * n } }),
      sign > 0 ? `已增加 ${n} 张库存。` : `已减少 ${n} 张库存。`,
    );
  };
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <input
          className={`${INPUT} w-28`}
          inputMode="numeric"
          aria-label="增减的张数"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          data-testid="stock-amount"
        />
        <button type="button" className={BUTTON} disabled={busy} onClick={() => change(1)} data-testid="stock-add">
          增加
        </button>
        <button type="button" className={BUTTON} disabled={busy} onClick={() => change(-1)} data-testid="stock-remove">
          减少
        </button>
      </div>
      <ActionResultMessage result={result} testId="stock-result" />
    </div>
  );
}

export function SyncButton({ cardId }: { cardId: string }) {
  const { busy, result, act } = useConsoleAction();
  return (
    <div className="flex flex-col gap-1">
      <button
        type="button"
        className={BUTTON}
        disabled={busy}
        onClick={() =>
          void act(
            consoleFetch(`/api/admin/cards/${cardId}`, { method: "PATCH", body: { sync: true } }),
            "已从微信重新读取审核状态和库存。",
          )
        }
        data-testid="card-sync"
      >
        从微信同步
      </button>
      <ActionResultMessage result={result} testId="card-sync-result" className="text-xs" />
    </div>
  );
}

export function DeleteCardButton({ cardId, title }: { cardId: string; title: string }) {
  const { modal } = App.useApp();
  const { busy, result, act } = useConsoleAction();
  return (
    <div className="flex flex-col gap-1">
      <button
        type="button"
        className="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 disabled:opacity-50"
        disabled={busy}
        onClick={() =>
          modal.confirm({
            title: `删除卡券“${title}”？`,
            content: "删除后用户不能再领取，已领取的券也会失效、不能核销。此操作不能撤销。",
            okText: "删除",
            okButtonProps: { danger: true, "data-testid": "card-delete-confirm" } as never,
            cancelText: "取消",
            onOk: () => void act(consoleFetch(`/api/admin/cards/${cardId}`, { method: "DELETE" }), "卡券已删除。"),
          })
        }
        data-testid="card-delete"
      >
        删除卡券
      </button>
      <ActionResultMessage result={result} testId="card-delete-result" className="text-xs" />
    </div>
  );
}

interface MadeQr {
  qrCode: { url: string; expiresAt: string | null; channel: { name: string; scene: string } | null };
  svg: string;
  png: string;
}

export function CardQrCode({
  cardId,
  title,
  channels,
}: {
  cardId: string;
  title: string;
  channels: readonly { id: string; name: string; scene: string }[];
}) {
  const [qrCodeId, setQrCodeId] = useState("");
  const [made, setMade] = useState<MadeQr | null>(null);
  const { busy, result, act } = useConsoleAction(() => undefined);
  const make = () =>
    void act(
      consoleFetch<MadeQr>(`/api/admin/cards/${cardId}/qrcode`, { body: qrCodeId ? { qrCodeId } : {} }).then(
        (answer) => {
          if (answer.kind === "ok") setMade(answer.data);
          return answer;
        },
      ),
      "二维码已生成：用户用微信扫码即可领取。",
    );
  const svgUrl = made ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(made.svg)}` : null;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-sm">
          <Term tip="outer_str：用户领取时微信随 user_get_card 事件送回，用来统计各渠道领了多少">绑定渠道</Term>
          <select
            className={INPUT}
            value={qrCodeId}
            onChange={(e) => setQrCodeId(e.target.value)}
            data-testid="card-qr-channel"
          >
            <option value="">（不绑定渠道）</option>
            {channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}（{c.scene}）
              </option>
            ))}
          </select>
        </label>
        <button type="button" className={PRIMARY} disabled={busy} onClick={make} data-testid="card-qr-create">
          {made ? "重新生成二维码" : "生成领取二维码"}
        </button>
      </div>
      <ActionResultMessage result={result} testId="card-qr-result" />
      {made && svgUrl && (
        <div className="flex flex-col items-center gap-2 self-start" data-testid="card-qr">
          {/* eslint-disable-next-line @next/next/no-img-element -- an SVG drawn by our route, no optimisation to gain */}
          <img src={svgUrl} alt={`${title} 的领取二维码`} width={200} height={200} />
          {made.qrCode.channel && <span className="text-xs text-neutral-500">渠道：{made.qrCode.channel.name}</span>}
          <div className="flex gap-3 text-sm">
            <a href={made.png} download={`card-${cardId}.png`} className="text-emerald-700" data-testid="card-qr-png">
              下载 PNG
            </a>
            <a href={svgUrl} download={`card-${cardId}.svg`} className="text-emerald-700" data-testid="card-qr-svg">
              下载 SVG
            </a>
          </div>
        </div>
      )}
    </div>
  );
}
