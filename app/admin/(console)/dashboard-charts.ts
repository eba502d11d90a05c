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

export function donutOption(name: string, items: readonly NamedCount[]): ChartOption {
  return {
    color: PALETTE,
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { bottom: 0 },
    series: [
      {
        name,
        type: "pie",
        radius: ["45%", "70%"],
        center: ["50%", "45%"],
        label: { formatter: "{b}\n{d}%" },
        data: items.map((item) => ({ name: item.label, value: item.count })),
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
