import { Forbidden } from "@/components/forbidden";
import { Placeholder } from "@/components/placeholder";
import { pageIdentity } from "@/lib/auth/page";

export default async function KnowledgePage() {
  const identity = await pageIdentity("/knowledge", { operator: true });
  if (!identity) return <Forbidden what="The Knowledge page" />;
  return (
    <Placeholder title="Knowledge" testId="page-knowledge">
      <p>Coming: Upload documents (Markdown, text, code, PDF, HTML, JSON, CSV) with per-file progress, browse and re-index them, and preview what retrieval returns.</p>
    </Placeholder>
  );
}
