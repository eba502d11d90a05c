"use client";
// A mass send's live progress: the bar and the counts, polled every second while it can still move; and
// 暂停 / 继续 / 取消 for admins.
import { App, Progress } from "antd";
import { useEffect, useState, useTransition } from "react";
import { consoleFetch } from "@/app/admin/console-fetch";
import { beijingTime } from "@/app/admin/beijing-time";

/** Counts with thousands separators (1,010, not 1010). */
const COUNT = new Intl.NumberFormat("zh-CN");
import { ActionResultMessage } from "../../followers/action-result";
import type { MessageJobView } from "@/lib/templates/jobs";
import { STATE_LABEL } from "../state";

const BUTTON = "rounded-md border border-neutral-300 px-3 py-1.5 text-sm disabled:opacity-50";
const MOVING = new Set(["queued", "running"]);

export function JobProgress({ initial, canEdit }: { initial: MessageJobView; canEdit: boolean }) {
  const [job, setJob] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const c = job.counts;
  // Delivery reports keep coming after the last call: poll while anything is still only "sent".
  const live = MOVING.has(job.state) || (job.state === "done" && c.sent > 0);

  useEffect(() => {
    if (!live) return;
    const controller = new AbortController();
    const timer = setInterval(async () => {
      const answer = await consoleFetch<{ job: MessageJobView }>(`/api/admin/message-jobs/${job.id}`, {
        signal: controller.signal,
      });
      if (answer.kind === "ok") setJob(answer.data.job);
    }, 1000);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [job.id, live]);

  const { modal } = App.useApp();
  const run = (action: "pause" | "resume" | "cancel") =>
    startTransition(async () => {
      setError(null);
      const answer = await consoleFetch<{ job: MessageJobView }>(`/api/admin/message-jobs/${job.id}/${action}`, {
        method: "POST",
        body: {},
      });
      if (answer.kind === "ok") setJob(answer.data.job);
      if (answer.kind === "error") setError(answer.message);
    });
  const act = (action: "pause" | "resume" | "cancel") => {
    if (action !== "cancel") return run(action);
    modal.confirm({
      title: "取消群发？",
      content: "还没发出的人将不再发送，已发出的无法撤回。",
      okText: "取消群发",
      okButtonProps: { danger: true, "data-testid": "message-job-cancel-confirm" } as never,
      cancelText: "继续发送",
      onOk: () => run("cancel"),
    });
  };

  const done = c.total - c.pending;
  const percent = c.total === 0 ? 100 : Math.floor((done / c.total) * 100);
  return (
    <section
      className="flex flex-col gap-4 rounded-xl bg-white p-5 shadow-sm"
      data-testid="message-job"
      data-state={job.state}
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm" data-testid="message-job-state">
          {STATE_LABEL[job.state]}
          {job.resumeAt && job.state === "paused" && `（已达微信当日上限，将于 ${beijingTime(job.resumeAt)} 自动继续）`}
        </p>
        {canEdit && (
          <div className="flex gap-2">
            {MOVING.has(job.state) && (
              <button
                type="button"
                className={BUTTON}
                disabled={pending}
                onClick={() => act("pause")}
                data-testid="message-job-pause"
              >
                暂停
              </button>
            )}
            {job.state === "paused" && (
              <button
                type="button"
                className={BUTTON}
                disabled={pending}
                onClick={() => act("resume")}
                data-testid="message-job-resume"
              >
                继续
              </button>
            )}
            {(MOVING.has(job.state) || job.state === "paused") && (
              <button
                type="button"
                className={`${BUTTON} text-red-700`}
                disabled={pending}
                onClick={() => act("cancel")}
                data-testid="message-job-cancel"
              >
                取消
              </button>
            )}
          </div>
        )}
      </div>
      <Progress percent={percent} status={job.state === "failed" ? "exception" : undefined} aria-label="群发进度" />
      <dl className="grid grid-cols-3 gap-3 text-sm sm:grid-cols-7" data-testid="message-job-counts">
        {(
          [
            ["总人数", c.total, "total"],
            ["待发送", c.pending, "pending"],
            ["已发送", c.sent, "sent"],
            ["已送达", c.delivered, "delivered"],
            ["用户拒收", c.refused, "refused"],
            ["失败", c.failed, "failed"],
            ["未发送", c.skipped, "skipped"],
          ] as const
        ).map(([label, n, key]) => (
          <div key={key} className="rounded-lg bg-neutral-50 px-3 py-2">
            <dt className="text-xs text-neutral-500">{label}</dt>
            <dd className="text-lg font-medium tabular-nums" data-testid={`count-${key}`}>
              {COUNT.format(n)}
            </dd>
          </div>
        ))}
      </dl>
      <ActionResultMessage
        result={
          job.error ? { ok: false, message: `${job.error}${job.errcode ? `（微信错误码 ${job.errcode}）` : ""}` } : null
        }
        testId="message-job-error"
        className="rounded-lg bg-red-50 px-4 py-3 text-sm"
      />
      <ActionResultMessage
        result={error === null ? null : { ok: false, message: error }}
        testId="message-job-action-error"
      />
    </section>
  );
}
