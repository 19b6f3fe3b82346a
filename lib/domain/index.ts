/** The bottom of the dependency graph: facts every other folder shares. Imports nothing else from lib. */
export * from "./task-types";
export * from "./roles";
export * from "./role-priors";
export * from "./model-tag";
export * from "./roster";
export * from "./reward";
export * from "./decision";
export * from "./task-type-confirmation";
export * from "./context-window";
export * from "./param-arm";
export * from "./storable-text";
export * from "./pattern-scope";
export * from "./embedding-task";
export * from "./past-outcome";
export * from "./answer-limits";
export * from "./client-task";
export * from "./attempt-failure";
