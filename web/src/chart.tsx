import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#1f6feb', '#b35900', '#1a7f37', '#8250df', '#cf222e', '#0a7a8a'];

/** A small time-series chart (uPlot, canvas): one line per series, x in seconds. */
export function TimeChart({ title, x, series, height = 220 }: { title: string; x: number[]; series: { label: string; values: number[] }[]; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: false } }))],
        axes: [{ stroke: '#444' }, { stroke: '#444' }],
        scales: { x: { time: true } },
        legend: { show: true },
      },
      [x, ...series.map((s) => s.values)],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [x, series, height]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={ref} role="img" aria-label={`${title}: ${series.map((s) => `${s.label} ${s.values.reduce((a, b) => a + b, 0)}`).join(', ')}`} />
    </figure>
  );
}

/** Buckets times (ISO strings) into `hours` hourly slots ending now. */
export function hourly(times: { time: string; key: string }[], hours = 24): { x: number[]; series: { label: string; values: number[] }[] } {
  const end = Math.ceil(Date.now() / 3_600_000) * 3600;
  const x = Array.from({ length: hours }, (_, i) => end - (hours - i) * 3600);
  const keys = [...new Set(times.map((t) => t.key))].sort();
  const series = keys.map((k) => ({ label: k, values: new Array<number>(hours).fill(0) }));
  for (const t of times) {
    const s = Math.floor(new Date(t.time).getTime() / 1000);
    const i = Math.floor((s - x[0]) / 3600);
    if (i >= 0 && i < hours) series[keys.indexOf(t.key)].values[i]++;
  }
  return { x, series };
}
