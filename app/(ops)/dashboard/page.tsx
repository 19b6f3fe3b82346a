import { Forbidden } from "@/components/forbidden";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { pageIdentity } from "@/lib/auth/page";
import { parseFilters } from "@/lib/analytics/filters";
import { loadDashboard } from "@/lib/analytics/load";

export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const identity = await pageIdentity("/dashboard", { operator: true });
  if (!identity) return <Forbidden what="The Dashboard" />;
  const data = await loadDashboard(identity, parseFilters(await searchParams));
  return <DashboardView data={data} testId="page-dashboard" />;
}
