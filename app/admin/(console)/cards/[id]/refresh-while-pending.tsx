"use client";
// While WeChat reviews a card, the page reads itself again every few seconds: the review's push updates
// the card on the server, and staff see 已通过 or 未通过 without reloading.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function RefreshWhilePending({ seconds = 3 }: { seconds?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(timer);
  }, [router, seconds]);
  return null;
}
