"use client";
/**
 * The dashboard's charts. They draw what lib/analytics prepared and decide nothing: no
 * sums, no rates, no filling of gaps (a null stays a gap).
 */
import type { ReactNode } from "react";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
  type TooltipValueType,
} from "recharts";

type TipProps = TooltipContentProps<TooltipValueType, string | number>;
import type { Point, TimeChart } from "@/lib/analytics/prepare";
import type { ArmStat, FallbackChart, ParamArmsChart } from "@/lib/analytics/prepare-breakdowns";
import { fmtBucket, fmtCount, fmtMs, fmtNum, fmtPct } from "@/lib/analytics/format";
import { grainMs } from "@/lib/analytics/filters";
import { isIsolated } from "@/lib/analytics/gaps";
import { fmtTick, timeTicks } from "@/lib/analytics/time-ticks";

/** Distinct in light and dark mode. */
export const PALETTE = ["#0ea5e9", "#f59e0b", "#10b981", "#a855f7", "#f43f5e", "#14b8a6", "#f97316", "#6366f1"];
const color = (i: number) => PALETTE[i % PALETTE.length];

const AXIS = { stroke: "currentColor", tick: { fill: "currentColor", fontSize: 11 }, tickLine: false } as const;

function Frame({ children, height = 260 }: { children: ReactNode; height?: number }) {
  return (
    <div className="text-zinc-500 dark:text-zinc-400" style={{ width: "100%", height }}>
      <ResponsiveContainer width="100%" height="100%">
        {children as React.ReactElement}
      </ResponsiveContainer>
    </div>
  );
}

function TipBox({ title, rows }: { title: string; rows: { label: string; value: string; color?: string }[] }) {
  return (
    <div className="rounded-md border border-zinc-200 bg-white p-2 text-xs text-zinc-800 shadow-lg dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100">
      <div className="mb-1 font-medium">{title}</div>
      {rows.map((r) => (
        <div key={r.label} className="flex items-center gap-2">
          {r.color && <span className="inline-block h-2 w-2 rounded-full" style={{ background: r.color }} />}
          <span className="text-zinc-500 dark:text-zinc-400">{r.label}</span>
          <span className="ml-auto pl-3 tabular-nums">{r.value}</span>
        </div>
      ))}
    </div>
  );
}

/** A one-entry legend. */
function Swatch({ color, label }: { color: string; label: string }) {
  return (
    <p className="mb-1 flex items-center gap-1.5 text-[11px] text-zinc-500 dark:text-zinc-400">
      <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: color }} />
      {label}
    </p>
  );
}

type Fmt = (v: number | null) => string;

/** A tooltip for a time chart: the bucket, then each series' value (or "no data"). */
function timeTooltip(chart: TimeChart, fmt: Fmt, extra?: (p: Record<string, unknown>) => { label: string; value: string }[]) {
  return function TimeTip({ active, payload, label }: TipProps) {
    if (!active || !payload?.length) return null;
    const point = payload[0].payload as Record<string, unknown>;
    const rows = payload.map((p) => ({
      label: String(p.name),
      value: p.value === null || p.value === undefined ? "no data" : fmt(Number(p.value)),
      color: p.color,
    }));
    return <TipBox title={fmtBucket(Number(label), chart.grain, true)} rows={[...rows, ...(extra?.(point) ?? [])]} />;
  };
}

/** The time axis: the chart's window (a lone bucket widened by one on each side), labelled on whole hours or days. */
function timeAxis(chart: TimeChart) {
  // The points are the window's buckets, oldest first (lib/analytics/prepare.ts).
  const lo = chart.points[0]?.t ?? 0;
  const hi = chart.points[chart.points.length - 1]?.t ?? 0;
  const pad = lo === hi ? grainMs(chart.grain) : 0;
  const { ticks, step } = timeTicks(lo, hi, chart.grain);
  return (
    <XAxis
      {...AXIS}
      dataKey="t"
      type="number"
      scale="time"
      domain={[lo - pad, hi + pad]}
      ticks={ticks}
      interval={0}
      tickFormatter={(t: number) => fmtTick(t, chart.grain, step)}
    />
  );
}

/**
 * A line's dots: none, except where a value stands alone between gaps (a line joins
 * neighbouring values only, so a lone bucket would draw nothing).
 */
function loneDots(points: readonly Point[], key: string, stroke: string) {
  return function LoneDot({ cx, cy, index }: { cx?: number; cy?: number; index?: number }) {
    if (cx === undefined || cy === undefined || index === undefined || !isIsolated(points, index, key)) return <g key={`${key}-${index}`} />;
    return <circle key={`${key}-${index}`} cx={cx} cy={cy} r={2.5} fill={stroke} stroke="none" />;
  };
}

const legend = <Legend wrapperStyle={{ fontSize: 11 }} />;

/** p95 (solid) and p50 (dashed) latency per model over time. */
export function LatencyChart({ chart }: { chart: TimeChart }) {
  return (
    <Frame>
      <LineChart data={chart.points} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
        <CartesianGrid strokeOpacity={0.15} vertical={false} />
        {timeAxis(chart)}
        <YAxis {...AXIS} width={56} tickFormatter={(v: number) => fmtMs(v)} />
        <Tooltip content={timeTooltip(chart, fmtMs)} />
        {legend}
        {chart.series.flatMap((s, i) => [
          <Line key={`p95_${s.key}`} name={`${s.label} p95`} dataKey={`p95_${s.key}`} stroke={color(i)} dot={loneDots(chart.points, `p95_${s.key}`, color(i))} strokeWidth={2} isAnimationActive={false} />,
          <Line key={`p50_${s.key}`} name={`${s.label} p50`} dataKey={`p50_${s.key}`} stroke={color(i)} dot={loneDots(chart.points, `p50_${s.key}`, color(i))} strokeDasharray="4 3" strokeWidth={1.5} legendType="none" isAnimationActive={false} />,
        ])}
      </LineChart>
    </Frame>
  );
}

/** Each model's share of the routed requests, stacked to 100 %. */
export function RoutingShareChart({ chart }: { chart: TimeChart }) {
  return (
    <Frame>
      <AreaChart data={chart.points} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
        <CartesianGrid strokeOpacity={0.15} vertical={false} />
        {timeAxis(chart)}
        <YAxis {...AXIS} width={44} domain={[0, 1]} tickFormatter={(v: number) => fmtPct(v)} />
        <Tooltip content={timeTooltip(chart, (v) => fmtPct(v, 1), (p) => [{ label: "requests", value: fmtCount(Number(p.total ?? 0)) }])} />
        {legend}
        {chart.series.map((s, i) => (
          <Area key={s.key} name={s.label} dataKey={s.key} stackId="share" stroke={color(i)} fill={color(i)} fillOpacity={0.6} dot={loneDots(chart.points, s.key, color(i))} isAnimationActive={false} />
        ))}
      </AreaChart>
    </Frame>
  );
}

/** Average stars (left axis) and the share of thumbs up (right axis). */
export function SatisfactionChart({ chart }: { chart: TimeChart }) {
  const fmt: Fmt = (v) => (v === null ? "no data" : v > 1 ? `${fmtNum(v, 2)} ★` : fmtPct(v));
  return (
    <Frame>
      <ComposedChart data={chart.points} margin={{ top: 5, right: 0, bottom: 0, left: 0 }}>
        <CartesianGrid strokeOpacity={0.15} vertical={false} />
        {timeAxis(chart)}
        <YAxis {...AXIS} yAxisId="stars" width={32} domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} />
        <YAxis {...AXIS} yAxisId="share" orientation="right" width={44} domain={[0, 1]} tickFormatter={(v: number) => fmtPct(v)} />
        <Tooltip
          content={timeTooltip(chart, fmt, (p) => [
            { label: "ratings", value: fmtCount(Number(p.rated ?? 0)) },
            { label: "thumbs", value: fmtCount(Number(p.thumbs ?? 0)) },
          ])}
        />
        {legend}
        <Line yAxisId="stars" name={chart.series[0].label} dataKey="rating" stroke={color(1)} strokeWidth={2} dot={loneDots(chart.points, "rating", color(1))} isAnimationActive={false} />
        <Line yAxisId="share" name={chart.series[1].label} dataKey="thumbsUp" stroke={color(2)} strokeWidth={1.5} strokeDasharray="4 3" dot={loneDots(chart.points, "thumbsUp", color(2))} isAnimationActive={false} />
      </ComposedChart>
    </Frame>
  );
}

/** Rolling reward (thick), reward per bucket (thin) and the exploration rate (dashed). */
export function LearningCurveChart({ chart }: { chart: TimeChart }) {
  return (
    <Frame>
      <LineChart data={chart.points} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
        <CartesianGrid strokeOpacity={0.15} vertical={false} />
        {timeAxis(chart)}
        <YAxis {...AXIS} width={44} domain={[0, 1]} tickFormatter={(v: number) => fmtPct(v)} />
        <Tooltip content={timeTooltip(chart, (v) => fmtPct(v, 1))} />
        {legend}
        <Line name={chart.series[0].label} dataKey="rolling" stroke={color(0)} strokeWidth={2.5} dot={loneDots(chart.points, "rolling", color(0))} isAnimationActive={false} />
        <Line name={chart.series[1].label} dataKey="reward" stroke={color(0)} strokeOpacity={0.45} strokeWidth={1} dot={loneDots(chart.points, "reward", color(0))} isAnimationActive={false} />
        <Line name={chart.series[2].label} dataKey="exploration" stroke={color(3)} strokeWidth={1.5} strokeDasharray="4 3" dot={loneDots(chart.points, "exploration", color(3))} isAnimationActive={false} />
      </LineChart>
    </Frame>
  );
}

/** The busiest fallback paths: which model failed → which then answered. */
export function FallbackPathsChart({ chart }: { chart: FallbackChart }) {
  const Tip = ({ active, payload }: TipProps) => {
    if (!active || !payload?.length) return null;
    const p = payload[0].payload as FallbackChart["paths"][number];
    return (
      <TipBox
        title={`${p.from} failed → ${p.to}`}
        rows={[
          { label: "times", value: fmtCount(p.count) },
          { label: "share of fallbacks", value: fmtPct(p.share, 1) },
        ]}
      />
    );
  };
  return (
    <>
    <Swatch color={color(4)} label={`Times the first model failed and the second answered (${fmtCount(chart.total)} fallbacks in all)`} />
    <Frame height={Math.max(160, 28 * chart.paths.length + 30)}>
      <BarChart data={chart.paths} layout="vertical" margin={{ top: 5, right: 20, bottom: 0, left: 0 }}>
        <CartesianGrid strokeOpacity={0.15} horizontal={false} />
        <XAxis {...AXIS} type="number" tickFormatter={(v: number) => fmtCount(v)} />
        <YAxis {...AXIS} type="category" dataKey="label" width={250} interval={0} />
        <Tooltip content={Tip} cursor={{ fillOpacity: 0.08 }} />
        <Bar name="Fallbacks" dataKey="count" fill={color(4)} isAnimationActive={false} />
      </BarChart>
    </Frame>
    </>
  );
}

function ArmsTip({ active, payload }: TipProps) {
  if (!active || !payload?.length) return null;
  const a = payload[0].payload as ArmStat;
  return (
    <TipBox
      title={a.label}
      rows={[
        { label: "answers", value: fmtCount(a.n) },
        { label: "success rate", value: a.successRate === null ? "no data" : fmtPct(a.successRate, 1) },
        { label: "mean reward", value: a.meanReward === null ? "no data" : fmtNum(a.meanReward, 2) },
        { label: "mean latency", value: fmtMs(a.meanLatency) },
      ]}
    />
  );
}

/** One small chart per model: success rate of each parameter arm it ran with. */
export function ParamArmsCharts({ chart }: { chart: ParamArmsChart }) {
  return (
    <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
      {chart.models.map((m, i) => (
        <div key={m.model} data-testid="param-arms-model" className="min-w-0">
          <h3 className="font-mono text-xs">{m.model}</h3>
          <Swatch color={color(i)} label="Success rate per arm: temperature · token limit · context (hover for details)" />
          {m.arms.length === 0 ? (
            <p className="text-xs text-zinc-500">No parameters recorded for this model in this window.</p>
          ) : (
            <Frame height={200}>
              <BarChart data={m.arms} margin={{ top: 5, right: 5, bottom: 0, left: 0 }}>
                <CartesianGrid strokeOpacity={0.15} vertical={false} />
                <XAxis {...AXIS} dataKey="short" interval={0} tick={{ fill: "currentColor", fontSize: 9 }} />
                <YAxis {...AXIS} width={40} domain={[0, 1]} tickFormatter={(v: number) => fmtPct(v)} />
                <Tooltip content={ArmsTip} cursor={{ fillOpacity: 0.08 }} />
                <Bar name="Success rate" dataKey="successRate" fill={color(i)} isAnimationActive={false} />
              </BarChart>
            </Frame>
          )}
        </div>
      ))}
    </div>
  );
}
