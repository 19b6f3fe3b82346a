-- `completion`: editors' fill-in-the-middle and raw completions (POST /api/generate with a
-- suffix or raw, POST /v1/completions with a suffix). The endpoint decides it, never a
-- classifier; routing learns it like the other task types (lib/domain/task-types.ts).
alter table public.interactions drop constraint if exists interactions_task_type_check;
alter table public.interactions add constraint interactions_task_type_check
  check (task_type in ('math', 'algorithm', 'code_generation', 'debugging',
    'refactoring_optimization', 'architecture', 'explanation', 'general', 'completion'));
