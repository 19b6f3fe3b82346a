/**
 * The project's dependency rules (run by `npm run lint` and so by CI). Dependencies point
 * down: app → components → lib → lib/domain. See README "Architecture".
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-file-cycles",
      severity: "error",
      comment: "No import cycle between files (type-only imports count too).",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      severity: "error",
      comment:
        "No cycle between lib folders (lib/orchestrator ↔ lib/learning, say): each is above or below another, never both. " +
        "app ↔ components is the one folder pair that meets both ways, by design: pages render components, and " +
        "components call the server actions of app/ (rule components-app-only-actions), with no file cycle.",
      scope: "folder",
      from: { path: "^(lib|sim|bench|scripts|tests)" },
      to: { circular: true },
    },
    {
      name: "domain-imports-nothing",
      severity: "error",
      comment: "lib/domain is the bottom: it imports nothing else from the project.",
      from: { path: "^lib/domain/" },
      to: { path: "^(lib/(?!domain/)|app/|components/|sim/|tests/|bench/|scripts/)" },
    },
    {
      name: "lib-not-up",
      severity: "error",
      comment: "lib never imports app or components.",
      from: { path: "^lib/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "db-imports-only-domain",
      severity: "error",
      comment: "lib/db imports only lib/domain, its own files and lib/config (the environment that picks the driver): never a feature folder.",
      from: { path: "^lib/db/" },
      to: { path: "^lib/(?!(db|domain|config)/)" },
    },
    {
      name: "components-app-only-actions",
      severity: "error",
      comment: "Components import app/ only for server actions (and their zod schemas).",
      from: { path: "^components/" },
      to: { path: "^app/", pathNot: "^app/.*/(actions|schema)\\.ts$" },
    },
    {
      name: "product-not-tests",
      severity: "error",
      comment: "Nothing in the product (app, components, lib, sim, scripts, bench) imports tests/.",
      from: { path: "^(app|components|lib|sim|scripts|bench)/" },
      to: { path: "^tests/" },
    },
    {
      name: "sim-independent",
      severity: "error",
      comment: "The simulator is independent of the app on purpose: it knows nothing the app knows.",
      from: { path: "^sim/" },
      to: { path: "^(lib|app|components|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|\\.data|test-results)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
