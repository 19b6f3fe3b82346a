import Link from "next/link";
import { env } from "@/lib/config/env";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return (
    <div className="mx-auto mt-12 max-w-sm">
      <h1 className="mb-6 text-2xl font-semibold">Sign in</h1>
      {env().mode === "embedded" ? (
        <p className="text-sm">
          This server runs on the embedded database with one local operator: no login is needed.{" "}
          <Link href="/chat" className="underline">Open the chat</Link>.
        </p>
      ) : (
        <LoginForm next={next} />
      )}
    </div>
  );
}
