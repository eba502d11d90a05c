"use client";
// Plain Chinese for the operator, with the protocol's own term a hover (or a keyboard focus) away: the
// words on the page say what a thing is (静默授权, 渠道标识), the tooltip names it as WeChat's documentation
// does (snsapi_base, scene_str) for whoever has to look it up.
import { Tooltip } from "antd";

export function Term({ tip, children }: { tip: React.ReactNode; children: React.ReactNode }) {
  return (
    <Tooltip title={tip} trigger={["hover", "focus"]}>
      {/* Focusable, so the tooltip is reachable without a mouse; it names the term for screen readers too. */}
      <span tabIndex={0} className="wcuc-term" data-testid="term">
        {children}
      </span>
    </Tooltip>
  );
}
