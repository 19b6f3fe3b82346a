import { Forbidden } from "@/components/forbidden";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { pageIdentity } from "@/lib/auth/page";
import { parseFilters } from "@/lib/analytics/filters";
import { loadDashboard } from "@/lib/analytics/load";

export default async function ModelPage({
  params,
  searchParams,
}: {
  params: Promise<{ model: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const model = decodeURIComponent((await params).model).slice(0, 200);
  const identity = await pageIdentity(`/dashboard/models/${encodeURIComponent(model)}`, { operator: true });
  if (!identity) return <Forbidden what="The Dashboard" />;
  const data = await loadDashboard(identity, { ...parseFilters(await searchParams), model }, { routingValue: false });
  return <DashboardView data={data} model={model} testId="page-dashboard-model" />;
}
