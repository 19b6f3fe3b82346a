export function Forbidden({ what }: { what: string }) {
  return (
    <div role="alert" data-testid="forbidden" className="max-w-xl rounded-md border border-zinc-300 p-4 dark:border-zinc-700">
      <h1 className="mb-2 text-lg font-semibold">Operators only</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {what} is for operators. An operator is a user whose <code>app_metadata.role</code> is{" "}
        <code>operator</code>; ask one to grant it (README: “Making a user an operator”).
      </p>
    </div>
  );
}
