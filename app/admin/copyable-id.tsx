"use client";
// How the console shows an id (our user id, an openid, a unionid): in full, in a fixed-width font, with a
// copy button. Never cut: follower openids differ only in their last characters.
import { Typography } from "antd";

export function CopyableId({
  value,
  testId,
  wrap = false,
}: {
  value: string | null;
  testId: string;
  /** Break the id across lines where it does not fit (a narrow card), rather than scroll sideways. */
  wrap?: boolean;
}) {
  if (value === null)
    return (
      <span className="text-neutral-500" data-testid={testId}>
        —
      </span>
    );
  return (
    <Typography.Text
      copyable={{ text: value, tooltips: ["复制", "已复制"] }}
      className={`font-mono text-xs ${wrap ? "break-all" : "whitespace-nowrap"}`}
    >
      <span title={value} data-testid={testId}>
        {value}
      </span>
    </Typography.Text>
  );
}
