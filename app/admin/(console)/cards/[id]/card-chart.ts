// A card's pushes per Beijing day as a bar chart's option, built on the server (the dashboard's ECharts,
// app/admin/(console)/charts.tsx). Days without pushes are left out of the series, so they are filled
// in here: a gap of a week reads as a week, not as the next bar.
import type { CardDay } from "@/lib/cards/model";
import type { ChartOption } from "../../charts";

export const CARD_DAY_SERIES = [
  { key: "taken", name: "领取", color: "#07c160" },
  { key: "redeemed", name: "核销", color: "#3b82f6" },
  { key: "deleted", name: "删除", color: "#a3a3a3" },
  { key: "gifted", name: "转赠", color: "#f59e0b" },
] as const;

const DAY_MS = 86_400_000;

/** Every day from the first push's to `today` (YYYY-MM-DD), with zeros where nothing happened. */
export function filledDays(daily: readonly CardDay[], today: string): CardDay[] {
  const first = daily[0];
  if (!first) return [];
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const out: CardDay[] = [];
  const end = Date.parse(`${today > first.day ? today : first.day}T00:00:00Z`);
  for (let t = Date.parse(`${first.day}T00:00:00Z`); t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, taken: 0, redeemed: 0, deleted: 0, gifted: 0, viewed: 0 });
  }
  return out;
}

export function cardDailyOption(days: readonly CardDay[]): ChartOption {
  return {
    color: CARD_DAY_SERIES.map((s) => s.color),
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: days.map((d) => d.day.slice(5)) },
    yAxis: { type: "value", minInterval: 1 },
    series: CARD_DAY_SERIES.map((s) => ({
      name: s.name,
      type: "bar" as const,
      data: days.map((d) => d[s.key]),
    })),
  };
}
