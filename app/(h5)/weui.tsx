// WeUI's markup for the pieces the end-user pages share. Plain components (no state): the client
// components in me/actions.tsx decide when a toast or a dialog shows.
import { useId } from "react";

/** WeChat's centred toast over a transparent mask: a spinner while working, a tick when done. */
export function Toast({
  kind,
  children,
  testId,
}: {
  kind: "loading" | "success";
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <div>
      <div className="weui-mask_transparent" />
      <div className="weui-toast__wrp">
        <div className="weui-toast" role="status" aria-live="polite" data-testid={testId}>
          {kind === "loading" ? (
            <span className="weui-primary-loading weui-icon_toast" aria-hidden="true">
              <span className="weui-primary-loading__dot" />
            </span>
          ) : (
            <i className="weui-icon-success-no-circle weui-icon_toast" aria-hidden="true" />
          )}
          <p className="weui-toast__content">{children}</p>
        </div>
      </div>
    </div>
  );
}

/** WeChat's modal dialog with one button, for what the user has to read before going on. */
export function Dialog({
  title,
  children,
  onClose,
  closeLabel = "知道了",
  confirm,
  testId,
}: {
  title: string;
  children: React.ReactNode;
  onClose: () => void;
  closeLabel?: string;
  /** A second, primary button for a consequential action; the close button then reads as "cancel". */
  confirm?: { label: string; onConfirm: () => void };
  testId?: string;
}) {
  const titleId = useId();
  return (
    <div>
      <div className="weui-mask" />
      <div className="weui-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testId}>
        <div className="weui-dialog__hd">
          <strong className="weui-dialog__title" id={titleId}>
            {title}
          </strong>
        </div>
        <div className="weui-dialog__bd">{children}</div>
        <div className="weui-dialog__ft">
          <button
            type="button"
            className={`weui-dialog__btn ${confirm ? "weui-dialog__btn_default" : "weui-dialog__btn_primary"}`}
            onClick={onClose}
            autoFocus
          >
            {closeLabel}
          </button>
          {confirm && (
            <button type="button" className="weui-dialog__btn weui-dialog__btn_primary" onClick={confirm.onConfirm}>
              {confirm.label}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

/** The person's WeChat avatar, or the first character of the name on a grey square. */
export function Avatar({ src, name, size = 56 }: { src: string | null; name: string; size?: number }) {
  if (!src) {
    return (
      <div aria-label="默认头像" style={{ width: size, height: size }} className="h5-avatar h5-avatar_default">
        {Array.from(name)[0] ?? "微"}
      </div>
    );
  }
  // WeChat avatars are remote and change with the user: no optimisation or caching by next/image wanted.
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img src={src} alt="头像" width={size} height={size} referrerPolicy="no-referrer" className="h5-avatar" />
  );
}
