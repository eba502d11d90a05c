// /admin/redeem (核销): the counter. Any staff member (viewer or admin) types or scans a customer's code,
// sees the card, whose it is and whether it can be used (card/code/get with check_consume), and consumes
// it (card/code/consume). Laid out for a phone first: this is used standing at a till.
import { requireStaffPage } from "@/lib/admin/guard";
import { RedeemCounter } from "./redeem-counter";

export const dynamic = "force-dynamic";

export default async function RedeemPage() {
  await requireStaffPage();
  return (
    <div className="mx-auto flex w-full max-w-md flex-col gap-4">
      <div>
        <h1 className="text-xl font-semibold">核销</h1>
        <p className="mt-1 text-sm text-neutral-500">
          输入顾客出示的券码（或用摄像头扫码），先查询确认可以使用，再核销。每张券只能核销一次。
        </p>
      </div>
      <RedeemCounter />
    </div>
  );
}
