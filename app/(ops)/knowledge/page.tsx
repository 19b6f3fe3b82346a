import { Forbidden } from "@/components/forbidden";
import { KnowledgeApp } from "@/components/knowledge/knowledge-app";
import { pageIdentity } from "@/lib/auth/page";
import { withUser } from "@/lib/db";
import { listEntries } from "@/lib/db/queries/knowledge";
import { documentViews } from "@/lib/knowledge/documents";

export default async function KnowledgePage() {
  const identity = await pageIdentity("/knowledge", { operator: true });
  if (!identity) return <Forbidden what="The Knowledge page" />;
  const [documents, pending] = await Promise.all([
    documentViews(identity),
    withUser(identity.claims, (tx) => listEntries(tx, { status: "pending", limit: 100 })),
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
        initialPending={pending.map((r) => ({ id: r.id, topic: r.topic, content: r.content, source: r.source, createdAt: new Date(r.created_at).toISOString() }))}
      />
    </section>
  );
}
