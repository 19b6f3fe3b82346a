import "server-only";
import { z } from "zod";
import { asSystem } from "@/lib/db";
import { documentsEmbeddedWithOther } from "@/lib/db/queries/documents";
import { insertJob } from "@/lib/db/queries/jobs";
import { PermanentJobError, registerJobHandler } from "@/lib/jobs/worker";
import { currentRoster } from "@/lib/roster/current";
import { ingestDocument, markIngestFailure } from "./ingest";

const ingestPayload = z.object({ documentId: z.uuid() });

/** Registers the knowledge jobs with the worker (idempotent). */
export function registerKnowledgeJobs(): void {
  registerJobHandler("ingest_document", {
    maxAttempts: 3,
    async run(ctx) {
      const p = ingestPayload.safeParse(ctx.job.payload);
      if (!p.success) throw new PermanentJobError("The job has no valid documentId.");
      return ingestDocument({ documentId: p.data.documentId, progress: ctx.progress });
    },
    async onFailure({ job, error, final }) {
      const p = ingestPayload.safeParse(job.payload);
      if (p.success) await markIngestFailure({ documentId: p.data.documentId, error, final, attempts: job.attempts });
    },
  });
  // After the roster's embedding model changed: every document embedded with another model is indexed again.
  registerJobHandler("reembed", {
    maxAttempts: 1,
    async run() {
      const model = (await currentRoster()).embedding;
      const docs = await asSystem((tx) => documentsEmbeddedWithOther(tx, { model }));
      await asSystem(async (tx) => {
        for (const d of docs) await insertJob(tx, { kind: "ingest_document", payload: { documentId: d.id } });
      });
      return { queued: docs.length, model };
    },
  });
}
