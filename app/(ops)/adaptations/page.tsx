import { Forbidden } from "@/components/forbidden";
import { AdaptationsApp } from "@/components/adaptations/adaptations-app";
import { pageIdentity } from "@/lib/auth/page";
import { loadAdaptationsView } from "@/lib/learning/view";

export default async function AdaptationsPage() {
  const identity = await pageIdentity("/adaptations", { operator: true });
  if (!identity) return <Forbidden what="The Adaptations page" />;
  return <AdaptationsApp initial={await loadAdaptationsView()} viewerId={identity.userId} />;
}
