"use client";
// 新建二维码: name, scene, permanent or temporary (days), an optional tag and welcome; WeChat's limits are
// checked by the route (and refused in Chinese) before anything is made.
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { Term } from "@/app/admin/term";

const INPUT = "rounded-md border border-neutral-300 px-2 py-1.5 text-sm";

export function QrCodeForm({ tags }: { tags: readonly { id: number; name: string }[] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [scene, setScene] = useState("");
  const [permanent, setPermanent] = useState(true);
  const [days, setDays] = useState(7);
  const [tagId, setTagId] = useState("");
  const [welcome, setWelcome] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const missing = !name.trim() ? "请填写名称。" : !scene ? "请填写渠道标识。" : null;

  const submit = () =>
    startTransition(async () => {
      setError(null);
      const answer = await consoleFetch<{ qrCode: { id: string } }>("/api/admin/qrcodes", {
        method: "POST",
        body: {
          name,
          scene,
          action_name: permanent ? "QR_LIMIT_STR_SCENE" : "QR_STR_SCENE",
          ...(permanent ? {} : { expire_seconds: days * 86_400 }),
          ...(tagId ? { tagId: Number(tagId) } : {}),
          ...(welcome.trim() ? { welcome } : {}),
        },
      });
      if (answer.kind === "error") setError(answer.message);
      if (answer.kind === "ok") router.push(`/admin/qrcodes/${answer.data.qrCode.id}`);
    });

  return (
    <section
      aria-label="新建二维码"
      className="flex flex-col gap-3 rounded-xl bg-white p-5 shadow-sm"
      data-testid="qrcode-form"
    >
      <h2 className="font-medium">新建二维码</h2>
      {error && (
        <p role="alert" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-800" data-testid="qrcode-error">
          {error}
        </p>
      )}
      <div className="flex flex-wrap gap-3">
        <label className="flex flex-col gap-1 text-sm">
          名称
          <input
            className={INPUT}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="如：地铁海报"
            data-testid="qrcode-name"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          <span>
            <Term tip="场景值（scene_str）：写在二维码里、扫码时微信随事件送回；同一公众号内不能重复，创建后不能修改。">
              渠道标识
            </Term>
            （1–64 个字符）
          </span>
          <input
            className={INPUT}
            value={scene}
            onChange={(e) => setScene(e.target.value)}
            placeholder="如：metro-2026"
            data-testid="qrcode-scene"
          />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          类型
          <select
            className={INPUT}
            value={permanent ? "permanent" : "temporary"}
            onChange={(e) => setPermanent(e.target.value === "permanent")}
            data-testid="qrcode-kind"
          >
            <option value="permanent">永久（最多 10 万个）</option>
            <option value="temporary">临时（最长 30 天）</option>
          </select>
        </label>
        {!permanent && (
          <label className="flex flex-col gap-1 text-sm">
            有效天数
            <input
              className={INPUT}
              type="number"
              min={1}
              max={30}
              value={days}
              onChange={(e) => setDays(Number(e.target.value))}
            />
          </label>
        )}
        <label className="flex flex-col gap-1 text-sm">
          扫码后打标签
          <select className={INPUT} value={tagId} onChange={(e) => setTagId(e.target.value)}>
            <option value="">（不打标签）</option>
            {tags.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="flex flex-col gap-1 text-sm">
        关注欢迎语（可选，替代默认的关注回复）
        <textarea className={INPUT} rows={2} value={welcome} onChange={(e) => setWelcome(e.target.value)} />
      </label>
      <div>
        <button
          type="button"
          className="rounded-md bg-emerald-600 px-3 py-1.5 text-sm text-white disabled:opacity-50"
          disabled={pending || missing !== null}
          onClick={submit}
          data-testid="qrcode-create"
          title={missing ?? undefined}
        >
          创建
        </button>
      </div>
    </section>
  );
}
