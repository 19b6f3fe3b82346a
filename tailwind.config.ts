// Tailwind 4 reads its configuration from CSS (`app/globals.css`, `@theme` and `@custom-variant`).
// This file is kept for editors and tools that look for it; `@config` in globals.css loads it.
import type { Config } from "tailwindcss";

const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  darkMode: "class",
};

export default config;
