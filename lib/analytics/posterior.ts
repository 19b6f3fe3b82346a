/** Chart series for Beta posteriors (pure): the density on a grid, scaled so its peak is 1. */
export function betaDensitySeries(alpha: number, beta: number, points = 120): { x: number; y: number }[] {
  const xs = Array.from({ length: points }, (_, i) => (i + 0.5) / points);
  const logs = xs.map((x) => (alpha - 1) * Math.log(x) + (beta - 1) * Math.log(1 - x));
  const max = Math.max(...logs);
  return xs.map((x, i) => ({ x, y: Math.exp(logs[i] - max) }));
}
