"use client";
import { useTheme } from "next-themes";
import { useEffect, useState } from "react";

const ORDER = ["system", "light", "dark"] as const;
const LABEL: Record<(typeof ORDER)[number], string> = { system: "System theme", light: "Light theme", dark: "Dark theme" };
const ICON: Record<(typeof ORDER)[number], string> = { system: "◐", light: "☀", dark: "☾" };

/** Cycles system → light → dark. Rendered after mount so server and client HTML agree. */
export function ThemeToggle() {
  const { theme, setTheme } = useTheme();
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const current = (mounted ? theme : "system") as (typeof ORDER)[number];
  const next = ORDER[(ORDER.indexOf(current) + 1) % ORDER.length];
  return (
    <button
      type="button"
      data-testid="theme-toggle"
      onClick={() => setTheme(next)}
      className="rounded-md px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      aria-label={`${LABEL[current]} (switch to ${LABEL[next].toLowerCase()})`}
      title={`${LABEL[current]}: click for ${LABEL[next].toLowerCase()}`}
    >
      <span aria-hidden>{ICON[current]}</span> <span className="hidden sm:inline">{mounted ? current : ""}</span>
    </button>
  );
}
