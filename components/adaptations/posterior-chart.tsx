"use client";
import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { betaDensitySeries } from "@/lib/analytics/posterior";

/** The two arms' Beta posteriors of the success rate (scaled densities). Decides nothing. */
export function PosteriorChart({ control, variant }: { control: { alpha: number; beta: number }; variant: { alpha: number; beta: number } }) {
  const c = betaDensitySeries(control.alpha, control.beta);
  const v = betaDensitySeries(variant.alpha, variant.beta);
  const data = c.map((p, i) => ({ x: Math.round(p.x * 100), control: p.y, variant: v[i].y }));
  return (
    <div data-testid="posterior-chart" aria-label="Posterior densities of the success rate, control and variant">
      <AreaChart width={360} height={140} data={data} margin={{ top: 4, right: 8, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
        <XAxis dataKey="x" unit="%" tick={{ fontSize: 10 }} interval={19} />
        <YAxis hide domain={[0, 1]} />
        <Tooltip formatter={(val) => (typeof val === "number" ? val.toFixed(2) : String(val))} labelFormatter={(l) => `success rate ${l}%`} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        <Area type="monotone" dataKey="control" stroke="#71717a" fill="#71717a" fillOpacity={0.25} isAnimationActive={false} />
        <Area type="monotone" dataKey="variant" stroke="#2563eb" fill="#2563eb" fillOpacity={0.25} isAnimationActive={false} />
      </AreaChart>
    </div>
  );
}
