// Times in the console's client components, in Beijing time whatever the staff member's computer (or the
// server that renders the first HTML) is set to: toLocaleString() would follow each one's own zone, so
// the same send read differently on two screens and the server's HTML disagreed with the browser's.
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";

dayjs.extend(utc);
dayjs.extend(timezone);

/** "2026-12-04 16:48:43" (or another dayjs format), Beijing time. */
export function beijingTime(at: string | number | Date, format = "YYYY-MM-DD HH:mm:ss"): string {
  return dayjs(at).tz("Asia/Shanghai").format(format);
}
