// A card's review as a coloured label (审核中 / 已通过 / 未通过), with WeChat's refusal reason under it.
import type { CardView } from "@/lib/cards/cards";

const LOOK = {
  NOT_VERIFY: "bg-amber-50 text-amber-800",
  VERIFY_OK: "bg-emerald-50 text-emerald-800",
  VERIFY_FAIL: "bg-red-50 text-red-800",
} as const;

export function ReviewTag({ review }: { review: CardView["review"] }) {
  return (
    <span className="inline-flex flex-col gap-0.5">
      <span
        className={`w-fit rounded px-1.5 py-0.5 text-xs whitespace-nowrap ${LOOK[review.status]}`}
        data-testid="card-review"
        data-status={review.status}
      >
        {review.label}
      </span>
      {review.status === "VERIFY_FAIL" && review.refuseReason && (
        <span className="text-xs text-red-700" data-testid="card-refuse-reason">
          {review.refuseReason}
        </span>
      )}
    </span>
  );
}
