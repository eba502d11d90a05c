// The dashboard's chart options, built on the server from the figures: plain objects that cross to the
// client component as they are.
import type { DashboardStats, NamedCount } from "@/lib/admin/stats";
import type { ChartOption } from "./charts";

const GREEN = "#07c160";
const BLUE = "#3b82f6";
const PALETTE = [GREEN, BLUE, "#f59e0b", "#a3a3a3", "#ef4444", "#8b5cf6"];

export function dailyOption(daily: DashboardStats["daily"]): ChartOption {
  return {
    color: [GREEN, BLUE],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", boundaryGap: false, data: daily.map((d) => d.day.slice(5)) },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "新增用户", type: "line", smooth: true, showSymbol: false, data: daily.map((d) => d.newUsers) },
      { name: "登录次数", type: "line", smooth: true, showSymbol: false, data: daily.map((d) => d.logins) },
    ],
  };
}

const numbers = new Intl.NumberFormat("zh-CN");

/**
 * A donut whose figures are in its legend ("静默授权 1,005 人（99.5%）"), not in labels around the ring:
 * those labels had to share the room beside the ring and ECharts cut them to "…" on a narrow card (a
 * phone, or three cards in a row). Legend entries wrap onto more rows instead and are never cut.
 */
export function donutOption(name: string, items: readonly NamedCount[]): ChartOption {
  const total = items.reduce((sum, item) => sum + item.count, 0);
  const percent = (n: number) => (total > 0 ? `${((n / total) * 100).toFixed(1)}%` : "—");
  return {
    color: PALETTE,
    tooltip: { trigger: "item", formatter: "{b}" },
    legend: { bottom: 0, left: "center", icon: "circle", itemWidth: 10, itemHeight: 10, itemGap: 16 },
    series: [
      {
        name,
        type: "pie",
        radius: ["42%", "66%"],
        center: ["50%", "42%"],
        label: { show: false },
        labelLine: { show: false },
        data: items.map((item) => ({
          name: `${item.label} ${numbers.format(item.count)} 人（${percent(item.count)}）`,
          value: item.count,
        })),
      },
    ],
  };
}

export function provincesOption(provinces: readonly NamedCount[]): ChartOption {
  // Largest on top: a horizontal bar chart draws its categories bottom-up.
  const rows = [...provinces].reverse();
  return {
    color: [GREEN],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: rows.map((p) => p.label) },
    series: [{ name: "用户数", type: "bar", data: rows.map((p) => p.count), barMaxWidth: 20 }],
  };
}
