// Small shared pieces of the end-user pages.
export function Card({ children }: { children: React.ReactNode }) {
  return <section className="rounded-xl bg-white p-5 shadow-sm">{children}</section>;
}

export function ButtonLink({
  href,
  children,
  variant = "primary",
  testId,
}: {
  href: string;
  children: React.ReactNode;
  variant?: "primary" | "secondary";
  testId?: string;
}) {
  const style =
    variant === "primary"
      ? "bg-wechat text-white active:bg-wechat-dark"
      : "bg-neutral-100 text-neutral-800 active:bg-neutral-200";
  return (
    <a
      href={href}
      data-testid={testId}
      className={`block w-full rounded-lg px-4 py-3 text-center text-base font-medium ${style}`}
    >
      {children}
    </a>
  );
}

export function Avatar({ src, name, size = 64 }: { src: string | null; name: string; size?: number }) {
  if (!src) {
    return (
      <div
        aria-label="默认头像"
        style={{ width: size, height: size }}
        className="flex shrink-0 items-center justify-center rounded-lg bg-neutral-200 text-xl text-neutral-500"
      >
        {Array.from(name)[0] ?? "微"}
      </div>
    );
  }
  // WeChat avatars are remote and change with the user: no optimisation or caching by next/image wanted.
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={src}
      alt="头像"
      width={size}
      height={size}
      referrerPolicy="no-referrer"
      className="shrink-0 rounded-lg bg-neutral-200 object-cover"
    />
  );
}
