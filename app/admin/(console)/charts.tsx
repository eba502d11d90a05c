"use client";
// ECharts in a React client component: the server hands over a plain option object; this draws it as
// SVG, follows the container's size and frees the instance on unmount. Only the pieces the dashboard
// uses are registered (echarts/core is tree-shakable), which keeps the bundle small. SVG rather than a
// canvas: a few dozen points draw as fast either way, the text stays sharp at any zoom, and its labels
// are in the page, where a test can see whether one was cut.
import { useEffect, useRef } from "react";
import { init, use as registerParts, type ComposeOption, type ECharts } from "echarts/core";
import {
  BarChart,
  LineChart,
  PieChart,
  type BarSeriesOption,
  type LineSeriesOption,
  type PieSeriesOption,
} from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

registerParts([LineChart, BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export type ChartOption = ComposeOption<
  | LineSeriesOption
  | BarSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
>;

/**
 * A chart for sighted users; the figures are also in the page as text (see the dashboard's hidden
 * tables), so the drawing itself is one labelled image.
 */
export function Chart({
  option,
  label,
  height = 280,
  testId,
}: {
  option: ChartOption;
  label: string;
  height?: number;
  testId?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: "svg", locale: "ZH" });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return (
    <div
      ref={container}
      role="img"
      aria-label={label}
      data-testid={testId}
      style={{ height }}
      className="w-full min-w-0"
    />
  );
}
