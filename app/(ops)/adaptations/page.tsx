import { Forbidden } from "@/components/forbidden";
import { Placeholder } from "@/components/placeholder";
import { pageIdentity } from "@/lib/auth/page";

export default async function AdaptationsPage() {
  const identity = await pageIdentity("/adaptations", { operator: true });
  if (!identity) return <Forbidden what="The Adaptations page" />;
  return (
    <Placeholder title="Adaptations" testId="page-adaptations">
      <p>Coming: Proposals from the Learning Director with their evidence; approve, reject or A/B test each; every configuration version with diffs and one-click rollback; the audit log.</p>
    </Placeholder>
  );
}
