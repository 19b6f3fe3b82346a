import { Forbidden } from "@/components/forbidden";
import { Placeholder } from "@/components/placeholder";
import { pageIdentity } from "@/lib/auth/page";

export default async function DashboardPage() {
  const identity = await pageIdentity("/dashboard", { operator: true });
  if (!identity) return <Forbidden what="The Dashboard page" />;
  return (
    <Placeholder title="Dashboard" testId="page-dashboard">
      <p>Coming: Performance per model and task type: success-rate heatmap, latency percentiles, routing share, satisfaction, fallback paths and the learning curve, with filters and CSV/JSONL export.</p>
    </Placeholder>
  );
}
