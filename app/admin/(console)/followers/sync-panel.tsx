"use client";
// The follower sync's button and live bar: polls GET /api/admin/followers/sync every second while a run
// is going, and shows WeChat's errcode when a run failed.
import { SyncOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { useCallback, useEffect, useRef, useState } from "react";
import type { RunStatus } from "@/lib/followers/console";
import { consoleFetch } from "@/app/admin/console-fetch";
import { beijingTime } from "@/app/admin/beijing-time";

const STATUS_LABEL: Record<string, string> = { running: "同步中", done: "已完成", failed: "失败" };
const N = new Intl.NumberFormat("zh-CN");

export function SyncPanel({ initial, canSync }: { initial: RunStatus | null; canSync: boolean }) {
  const [run, setRun] = useState<RunStatus | null>(initial);
  const [message, setMessage] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const running = run?.status === "running" && !run.stalled;

  // While starting: when the button was pressed and which run was shown then. The sync is a queued job,
  // so its run (a new one, or the old one running again) may show up a moment after the 202; polling
  // goes on until it does, or 30 s pass.
  const waiting = useRef<{ since: number; before: string | null } | null>(null);

  const refresh = useCallback(async () => {
    const answer = await consoleFetch<{ followers: RunStatus | null }>("/api/admin/followers/sync");
    if (answer.kind !== "ok") return;
    const latest = answer.data.followers;
    setRun(latest);
    const wait = waiting.current;
    if (wait === null) return;
    const started = latest !== null && (latest.status === "running" || latest.id !== wait.before);
    if (started || Date.now() - wait.since > 30_000) {
      waiting.current = null;
      setStarting(false);
    }
  }, []);

  useEffect(() => {
    if (!running && !starting) return;
    const timer = setInterval(() => void refresh().catch(() => {}), 1000);
    return () => clearInterval(timer);
  }, [running, starting, refresh]);

  async function start() {
    setStarting(true);
    setMessage(null);
    waiting.current = { since: Date.now(), before: run?.id ?? null };
    const result = await consoleFetch("/api/admin/followers/sync", { method: "POST" });
    if (result.kind === "error") {
      setMessage(result.message);
      waiting.current = null;
      setStarting(false);
    }
    await refresh().catch(() => {});
  }

  return (
    <section className="flex flex-col gap-3 rounded-xl bg-white p-5 shadow-sm" data-testid="sync-panel">
      <div className="flex items-center gap-3">
        {canSync && (
          <Button
            type="primary"
            icon={<SyncOutlined spin={running || starting} />}
            onClick={() => void start()}
            disabled={running || starting}
            data-testid="sync-start"
          >
            {running ? "同步中…" : run && run.status !== "done" ? "继续同步" : "开始同步"}
          </Button>
        )}
        {run && (
          <span data-testid="sync-status" data-status={run.status} className="text-sm text-neutral-700">
            {run.stalled ? "已中断（再次同步会从中断处继续）" : (STATUS_LABEL[run.status] ?? run.status)}
          </span>
        )}
      </div>
      {message && (
        <p role="alert" data-testid="sync-message" className="text-sm text-red-700">
          {message}
        </p>
      )}
      {run ? (
        <>
          <div
            role="progressbar"
            aria-label="同步进度"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={run.percent}
            data-testid="sync-progress"
            className="h-3 w-full overflow-hidden rounded-full bg-neutral-100"
          >
            <div className="h-full bg-emerald-500 transition-[width]" style={{ width: `${run.percent}%` }} />
          </div>
          <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-neutral-600">进度</dt>
            <dd data-testid="sync-counts">
              {N.format(run.upserted)} / {run.total === null ? "?" : N.format(run.total)}（{run.percent}%）
            </dd>
            <dt className="text-neutral-600">已取回名单</dt>
            <dd>{N.format(run.listed)}</dd>
            <dt className="text-neutral-600">标记为未关注</dt>
            <dd data-testid="sync-unsubscribed">{N.format(run.unsubscribed)}</dd>
            <dt className="text-neutral-600">开始时间</dt>
            <dd>{beijingTime(run.startedAt)}</dd>
            {run.finishedAt && (
              <>
                <dt className="text-neutral-600">完成时间</dt>
                <dd>{beijingTime(run.finishedAt)}</dd>
              </>
            )}
          </dl>
          {run.error && (
            <p role="alert" data-testid="sync-error" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800">
              上次同步失败：{run.error}
            </p>
          )}
        </>
      ) : (
        <p className="text-sm text-neutral-600" data-testid="sync-never">
          还没有同步过。
        </p>
      )}
    </section>
  );
}
