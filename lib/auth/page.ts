import "server-only";
import { redirect } from "next/navigation";
import { getIdentity, type Identity } from "./index";

/**
 * For pages: a signed-out visitor goes to /login; a signed-in user who is not an operator
 * gets `null` for an operator page (the page then shows why it is refused).
 */
export async function pageIdentity(path: string, opts: { operator?: boolean } = {}): Promise<Identity | null> {
  const identity = await getIdentity();
  if (!identity) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (opts.operator && !identity.isOperator) return null;
  return identity;
}
