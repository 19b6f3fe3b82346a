import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite loads its WebAssembly and extension bundles from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "@electric-sql/pglite-socket"],
  poweredByHeader: false,
  // Several builds side by side (parallel test runs) each need their own output directory.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Knowledge uploads go one file per request, up to 10 MB plus the multipart envelope.
  experimental: { proxyClientMaxBodySize: "12mb" },
};

export default nextConfig;
