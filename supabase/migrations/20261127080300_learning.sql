-- What the orchestration learns. Readable by signed-in users (the chat explains its
-- routing); written by operators or by the server's learning code (which connects as the
-- table owner and so is not subject to RLS).

create table public.learning_patterns (
  id uuid primary key default gen_random_uuid(),
  pattern_type text not null
    check (pattern_type in ('routing', 'prompting', 'fallback', 'parameters', 'knowledge', 'classification')),
  pattern_data jsonb not null default '{}'::jsonb check (jsonb_typeof(pattern_data) = 'object'),
  success_count integer not null default 0 check (success_count >= 0),
  failure_count integer not null default 0 check (failure_count >= 0),
  confidence_score float not null default 0 check (confidence_score between 0 and 1),
  last_updated timestamptz not null default now(),
  -- Added: the task type and model a pattern is about, its state, and an exemplar embedding.
  task_type text,
  model_name text,
  status text not null default 'active' check (status in ('active', 'faded', 'retired')),
  embedding extensions.vector(768),
  embedding_model text,
  created_at timestamptz not null default now()
);
alter table public.learning_patterns enable row level security;
create index learning_patterns_type_status_idx on public.learning_patterns (pattern_type, status);
create index learning_patterns_task_type_model_idx on public.learning_patterns (task_type, model_name);
create index learning_patterns_embedding_idx on public.learning_patterns
  using hnsw (embedding extensions.vector_cosine_ops);

create policy "Authenticated users can view learning patterns"
  on public.learning_patterns for select to authenticated using (true);
create policy "Operators can create learning patterns"
  on public.learning_patterns for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can update learning patterns"
  on public.learning_patterns for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete learning patterns"
  on public.learning_patterns for delete to authenticated using ((select private.is_operator()));

create table public.model_performance (
  id uuid primary key default gen_random_uuid(),
  model_name text not null,
  task_type text not null,
  success_rate float check (success_rate between 0 and 1),
  avg_response_time float check (avg_response_time >= 0),
  user_satisfaction float check (user_satisfaction between 0 and 5),
  last_updated timestamptz not null default now(),
  performance_data jsonb not null default '{}'::jsonb check (jsonb_typeof(performance_data) = 'object'),
  unique (model_name, task_type)
);
alter table public.model_performance enable row level security;
create index model_performance_task_type_idx on public.model_performance (task_type);

create policy "Authenticated users can view model performance"
  on public.model_performance for select to authenticated using (true);
create policy "Operators can record model performance"
  on public.model_performance for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can update model performance"
  on public.model_performance for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete model performance"
  on public.model_performance for delete to authenticated using ((select private.is_operator()));
