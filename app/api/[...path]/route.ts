import { unknownPath } from "@/lib/api/unknown-path";

export const dynamic = "force-dynamic";

/** Any path under here that no route answers: a JSON 404 in the API's dialect (lib/api/unknown-path.ts). */
export const GET = unknownPath;
export const POST = unknownPath;
export const PUT = unknownPath;
export const PATCH = unknownPath;
export const DELETE = unknownPath;
