/**
 * Line charts rendered offline to PNG: Apache ECharts draws an SVG string on the server (no DOM, no canvas),
 * resvg turns it into a PNG with the system fonts (DejaVu Sans on Debian: fonts-dejavu-core).
 */
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

export interface LineSeries {
  name: string;
  /** [x, y] points; x is numeric (e.g. a step) unless `xLabels` is given, then it indexes xLabels. */
  points: readonly (readonly [number, number])[];
}

export interface LineChartSpec {
  title: string;
  series: readonly LineSeries[];
  xLabel?: string;
  yLabel?: string;
  /** Category labels for x (e.g. run dates); point x values are indexes into it. */
  xLabels?: readonly string[];
  /** Fixed y range (e.g. 0..1 for pass rates); default: fitted to the data. */
  yMin?: number;
  yMax?: number;
  /** Whole-number x ticks (steps, runs). */
  xInteger?: boolean;
  /** Pixels. Default 800 x 450. */
  width?: number;
  height?: number;
}

const FONT = 'DejaVu Sans, sans-serif';
const COLORS = ['#2f6fdf', '#e8590c', '#2b8a3e', '#862e9c', '#c92a2a', '#495057'];

/** The SVG of a line chart (pure; no I/O). */
export function lineChartSvg(spec: LineChartSpec): string {
  echarts.use([LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);
  const width = spec.width ?? 800;
  const height = spec.height ?? 450;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const labels = spec.xLabels;
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      color: COLORS,
      textStyle: { fontFamily: FONT },
      title: { text: spec.title, left: 'center', top: 8, textStyle: { fontSize: 16, fontFamily: FONT } },
      legend: { bottom: 6, itemGap: 24, textStyle: { fontFamily: FONT } },
      grid: { left: 64, right: 32, top: 48, bottom: 72 },
      xAxis: labels
        ? { type: 'category', data: [...labels], name: spec.xLabel, nameLocation: 'middle', nameGap: 28 }
        : {
            type: 'value',
            name: spec.xLabel,
            nameLocation: 'middle',
            nameGap: 28,
            min: 'dataMin',
            max: 'dataMax',
            minInterval: spec.xInteger ? 1 : undefined,
          },
      yAxis: {
        type: 'value',
        name: spec.yLabel,
        nameLocation: 'middle',
        nameGap: 44,
        min: spec.yMin,
        max: spec.yMax,
        scale: spec.yMin === undefined,
      },
      series: spec.series.map((s) => ({
        name: s.name,
        type: 'line',
        showSymbol: s.points.length <= 60,
        data: s.points.map(([x, y]) => (labels ? y : [x, y])),
        connectNulls: true,
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const PNG_OPTIONS: ResvgRenderOptions = {
  background: '#ffffff',
  fitTo: { mode: 'original' },
  font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
};

/** A PNG of a line chart, `spec.width` x `spec.height` pixels (default 800 x 450). Blocks while rasterizing (~0.1-0.5 s). */
export function renderLineChart(spec: LineChartSpec): Buffer {
  return new Resvg(lineChartSvg(spec), PNG_OPTIONS).render().asPng();
}

/** The same PNG, rasterized on a libuv worker thread so the bot keeps answering meanwhile. */
export async function renderLineChartAsync(spec: LineChartSpec): Promise<Buffer> {
  return (await renderAsync(lineChartSvg(spec), PNG_OPTIONS)).asPng();
}
