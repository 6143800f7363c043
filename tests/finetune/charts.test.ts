/** Charts rendered offline to PNG (echarts SVG → resvg): decoded and checked for size and drawn content. */
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { lineChartSvg, renderLineChart, renderLineChartAsync } from '../../src/charts/line.js';
import { renderLossCurve } from '../../src/charts/loss.js';

/** Pixels that are not (near) white, and pixels close to `rgb`. */
function pixels(png: PNG, rgb: [number, number, number]): { inked: number; matching: number } {
  let inked = 0;
  let matching = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    if (r < 240 || g < 240 || b < 240) inked++;
    if (Math.abs(r - rgb[0]) < 40 && Math.abs(g - rgb[1]) < 40 && Math.abs(b - rgb[2]) < 40) matching++;
  }
  return { inked, matching };
}

describe('line charts', () => {
  test('the loss curve: 800 x 450 by default, training in blue and validation in orange', async () => {
    const data = (await renderLossCurve(
      [1, 2, 3, 4, 5, 6].map((step) => ({ step, trainLoss: 2 / step, validLoss: step % 2 === 0 ? 2.2 / step : null })),
      { title: 'Fine-tune ftjob-1: loss per step' },
    ))!;
    const png = PNG.sync.read(data);
    expect([png.width, png.height]).toEqual([800, 450]);
    const blue = pixels(png, [0x2f, 0x6f, 0xdf]);
    const orange = pixels(png, [0xe8, 0x59, 0x0c]);
    expect(blue.inked / (800 * 450)).toBeGreaterThan(0.01);
    expect(blue.matching).toBeGreaterThan(200);
    expect(orange.matching).toBeGreaterThan(200);
  });

  test('no logged loss: no chart', async () => {
    expect(await renderLossCurve([], { title: 'x' })).toBeNull();
    expect(await renderLossCurve([{ step: 1, trainLoss: null, validLoss: null }], { title: 'x' })).toBeNull();
  });

  test('the generic line chart (eval history): category labels, fixed y range, custom size, text drawn with a font', async () => {
    const spec = {
      title: 'Pass rate per run',
      xLabels: ['12-01', '12-03', '12-05'],
      yMin: 0,
      yMax: 1,
      width: 640,
      height: 360,
      series: [
        {
          name: 'gpt-4.1-mini',
          points: [
            [0, 0.5],
            [1, 0.6],
            [2, 0.8],
          ] as [number, number][],
        },
        {
          name: 'ft:eos',
          points: [
            [1, 0.7],
            [2, 0.9],
          ] as [number, number][],
        },
      ],
    };
    const svg = lineChartSvg(spec);
    expect(svg).toContain('Pass rate per run');
    expect(svg).toContain('12-03');
    const png = PNG.sync.read(renderLineChart(spec));
    expect([png.width, png.height]).toEqual([640, 360]);
    expect((await renderLineChartAsync(spec)).equals(renderLineChart(spec))).toBe(true);
    // The title row (top 40 px, centre) has dark text pixels: fonts were found.
    let dark = 0;
    for (let y = 5; y < 35; y++) for (let x = 200; x < 440; x++) if (png.data[(y * 640 + x) * 4]! < 120) dark++;
    expect(dark).toBeGreaterThan(50);
  });
});
