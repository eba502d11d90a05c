// A mass send's states and a recipient's statuses in the console's words.
import type { JobState } from "@/lib/templates/jobs";

export const STATE_LABEL: Record<JobState, string> = {
  queued: "排队中",
  running: "发送中",
  paused: "已暂停",
  cancelled: "已取消",
  done: "已完成",
  failed: "已停止（出错）",
};
