// The avatar as the console shows it (Tailwind). The end-user pages draw theirs with WeUI: app/(h5)/weui.tsx.
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
