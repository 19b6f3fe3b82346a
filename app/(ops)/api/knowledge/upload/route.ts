import { requireOperator } from "@/lib/auth";
import { AppError, toAppError } from "@/lib/errors";
import { uploadDocuments } from "@/lib/knowledge/documents";
import { MAX_FILES_PER_REQUEST } from "../../../knowledge/schema";

/**
 * Upload: multipart form with one or more "files". Each file gets an outcome (accepted with
 * its document id, or refused with the reason). A route handler rather than a server action:
 * actions stop at 1 MB, documents go up to 10 MB.
 */
export async function POST(request: Request) {
  try {
    const identity = await requireOperator();
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      throw new AppError("bad_request:knowledge", "The upload could not be read (too large? the limit is 10 MB a file). Send multipart/form-data with the field \"files\".");
    }
    const files = form.getAll("files").filter((f): f is File => typeof f === "object" && f !== null && "arrayBuffer" in f);
    if (files.length === 0) throw new AppError("bad_request:knowledge", "No files: send them in the form field \"files\".");
    if (files.length > MAX_FILES_PER_REQUEST) throw new AppError("bad_request:knowledge", `At most ${MAX_FILES_PER_REQUEST} files per upload.`);
    const results = await uploadDocuments(
      identity,
      await Promise.all(files.map(async (f) => ({ name: f.name, type: f.type, bytes: new Uint8Array(await f.arrayBuffer()) }))),
    );
    return Response.json({ results });
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
