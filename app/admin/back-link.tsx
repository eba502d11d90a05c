"use client";
// The console's links that look like its buttons: an antd link button (the console's green, not the
// browser's blue) that is a real <a href>, so a middle click or "open in new tab" works, while a plain
// click moves inside the app without a full page load. BackLink is the one way back to the page above,
// over the page's title, on every page that has one.
import { ArrowLeftOutlined, LeftOutlined, RightOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { useRouter } from "next/navigation";

/** By name, so that server components can choose one (an icon element is client code). */
const ICONS = {
  back: { icon: <ArrowLeftOutlined />, placement: "start" },
  previous: { icon: <LeftOutlined />, placement: "start" },
  next: { icon: <RightOutlined />, placement: "end" },
} as const;

export function LinkButton({
  href,
  icon,
  testId,
  className,
  children,
}: {
  href: string;
  icon?: keyof typeof ICONS;
  testId?: string;
  className?: string;
  children: React.ReactNode;
}) {
  const router = useRouter();
  return (
    <Button
      type="link"
      href={href}
      icon={icon && ICONS[icon].icon}
      iconPlacement={icon && ICONS[icon].placement}
      data-testid={testId}
      className={className}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
        event.preventDefault();
        router.push(href);
      }}
    >
      {children}
    </Button>
  );
}

export function BackLink({
  href,
  testId = "back-link",
  children,
}: {
  href: string;
  testId?: string;
  children: React.ReactNode;
}) {
  return (
    <LinkButton href={href} icon="back" testId={testId} className="wcuc-back-link">
      {children}
    </LinkButton>
  );
}
