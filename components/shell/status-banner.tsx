import Link from "next/link";
import { connection } from "next/server";
import { cachedOllamaStatus } from "@/lib/health";

/** Says plainly, on every page, when the models are simulated or no Ollama answers. */
export async function StatusBanner() {
  await connection();
  const hosts = await cachedOllamaStatus();
  const up = hosts.filter((h) => h.ok);
  if (up.length === 0) {
    return (
      <div role="alert" data-testid="banner-ollama-down" className="border-b border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
        No Ollama host answers ({hosts.map((h) => h.host).join(", ")}). Start it with <code>ollama serve</code> or
        check the host on <Link className="underline" href="/settings">Settings</Link>.
      </div>
    );
  }
  if (up.every((h) => h.simulator)) {
    return (
      <div role="status" data-testid="banner-simulated" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
        Models are simulated: answers come from the built-in Ollama simulator, not real models.{" "}
        <Link className="underline" href="/settings">Settings</Link> shows the hosts.
      </div>
    );
  }
  return null;
}
