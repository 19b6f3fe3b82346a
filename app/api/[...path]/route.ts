export const dynamic = "force-dynamic";

/** Any path under here that no route answers: a JSON 404 in the API's dialect (lib/api/unknown-path.ts). */
export { unknownPath as GET, unknownPath as POST, unknownPath as PUT, unknownPath as PATCH, unknownPath as DELETE } from "@/lib/api/unknown-path";
