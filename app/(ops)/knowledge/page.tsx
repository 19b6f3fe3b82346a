import { Forbidden } from "@/components/forbidden";
import { KnowledgeApp } from "@/components/knowledge/knowledge-app";
import { pageIdentity } from "@/lib/auth/page";
import { withUser } from "@/lib/db";
import { entriesForReview } from "@/lib/db/queries/knowledge";
import { documentViews } from "@/lib/knowledge/documents";
import { pendingEntryView } from "@/lib/knowledge/views";

export default async function KnowledgePage() {
  const identity = await pageIdentity("/knowledge", { operator: true });
  if (!identity) return <Forbidden what="The Knowledge page" />;
  const [documents, pending] = await Promise.all([
    documentViews(identity),
    withUser(identity.claims, (tx) => entriesForReview(tx)),
  ]);
  return (
    <section data-testid="page-knowledge" className="max-w-5xl space-y-6">
      <header>
        <h1 className="text-2xl font-semibold">Knowledge</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Documents, approved corrections and well-rated answers the models are given when a request needs them.
        </p>
      </header>
      <KnowledgeApp
        initialDocuments={documents}
        initialPending={pending.map(pendingEntryView)}
      />
    </section>
  );
}
