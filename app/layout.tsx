import type { Metadata } from "next";
import { GeistSans } from "geist/font/sans";
import { GeistMono } from "geist/font/mono";
import { ThemeProvider } from "@/components/theme-provider";
import { AppShell } from "@/components/shell/app-shell";
import { getIdentity } from "@/lib/auth";
import "katex/dist/katex.min.css";
import "highlight.js/styles/github-dark.css";
import "./globals.css";

export const metadata: Metadata = {
  title: "Elite Coding Assistant",
  description: "Five local models, one assistant that learns how to use them.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const identity = await getIdentity();
  return (
    <html lang="en" suppressHydrationWarning className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body className="font-sans">
        <ThemeProvider>
          <AppShell identity={identity}>{children}</AppShell>
        </ThemeProvider>
      </body>
    </html>
  );
}
