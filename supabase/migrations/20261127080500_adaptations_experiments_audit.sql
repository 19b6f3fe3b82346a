-- The learning cycle: proposals, experiments, the audit log, background jobs and API keys.

create table public.adaptations (
  id uuid primary key default gen_random_uuid(),
  kind text not null
    check (kind in ('routing_rule', 'system_prompt', 'fallback_order', 'parameters', 'knowledge_entry')),
  status text not null default 'proposed'
    check (status in ('proposed', 'approved', 'rejected', 'testing', 'promoted', 'rolled_back', 'superseded')),
  title text not null check (char_length(title) between 1 and 300),
  description text not null default '',
  model_name text,
  task_type text,
  proposed_change jsonb not null default '{}'::jsonb,
  evidence jsonb not null default '{}'::jsonb,
  expected_effect jsonb not null default '{}'::jsonb,
  risk text not null default 'medium' check (risk in ('low', 'medium', 'high')),
  fingerprint text not null, -- same kind + target + change: similar proposals share it
  base_version_id uuid references public.config_versions (id),
  result_version_id uuid references public.config_versions (id),
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  created_at timestamptz not null default now()
);
alter table public.adaptations enable row level security;
create index adaptations_status_created_at_idx on public.adaptations (status, created_at desc);
create index adaptations_fingerprint_idx on public.adaptations (fingerprint);
create index adaptations_base_version_id_idx on public.adaptations (base_version_id);
create index adaptations_result_version_id_idx on public.adaptations (result_version_id);

create policy "Operators can view adaptations"
  on public.adaptations for select to authenticated using ((select private.is_operator()));
create policy "Operators can propose adaptations"
  on public.adaptations for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can decide adaptations"
  on public.adaptations for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete adaptations"
  on public.adaptations for delete to authenticated using ((select private.is_operator()));

create table public.experiments (
  id uuid primary key default gen_random_uuid(),
  adaptation_id uuid references public.adaptations (id) on delete set null,
  control_version_id uuid not null references public.config_versions (id),
  variant_version_id uuid not null references public.config_versions (id),
  status text not null default 'running'
    check (status in ('running', 'promoted', 'stopped', 'rolled_back')),
  traffic_split float not null default 0.5 check (traffic_split > 0 and traffic_split < 1),
  min_samples integer not null default 30 check (min_samples > 0),
  max_duration interval not null default interval '14 days',
  guardrails jsonb not null default '{}'::jsonb,
  stats jsonb not null default '{}'::jsonb,
  end_reason text,
  started_by text,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  check (control_version_id <> variant_version_id)
);
alter table public.experiments enable row level security;
create index experiments_status_idx on public.experiments (status);
create index experiments_adaptation_id_idx on public.experiments (adaptation_id);
create index experiments_control_version_id_idx on public.experiments (control_version_id);
create index experiments_variant_version_id_idx on public.experiments (variant_version_id);
alter table public.interactions
  add constraint interactions_experiment_id_fkey
  foreign key (experiment_id) references public.experiments (id) on delete set null;

create policy "Operators can view experiments"
  on public.experiments for select to authenticated using ((select private.is_operator()));
create policy "Operators can start experiments"
  on public.experiments for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can update experiments"
  on public.experiments for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete experiments"
  on public.experiments for delete to authenticated using ((select private.is_operator()));

-- Append-only: who decided what, when and why.
create table public.audit_log (
  id uuid primary key default gen_random_uuid(),
  actor text not null,
  action text not null check (char_length(action) between 1 and 100),
  target_type text not null,
  target_id text,
  reason text,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
alter table public.audit_log enable row level security;
create index audit_log_created_at_idx on public.audit_log (created_at desc);
create index audit_log_target_idx on public.audit_log (target_type, target_id);
create index audit_log_actor_idx on public.audit_log (actor);

create policy "Operators can view the audit log"
  on public.audit_log for select to authenticated using ((select private.is_operator()));
create policy "Operators can write to the audit log as themselves"
  on public.audit_log for insert to authenticated
  with check ((select private.is_operator()) and actor = (select private.current_user_id()));
-- No update or delete policy: entries are never changed or removed through the API.

-- Long work (ingestion, analysis runs, experiment checks) picked up by the in-process worker.
create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('ingest_document', 'reembed', 'learning_analysis', 'experiment_check')),
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress float not null default 0 check (progress between 0 and 1),
  stage text,
  payload jsonb not null default '{}'::jsonb,
  result jsonb,
  error text,
  attempts integer not null default 0 check (attempts >= 0),
  run_after timestamptz not null default now(),
  locked_at timestamptz,
  created_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.jobs enable row level security;
create index jobs_status_run_after_idx on public.jobs (status, run_after);
create index jobs_kind_created_at_idx on public.jobs (kind, created_at desc);
create index jobs_created_by_idx on public.jobs (created_by);
create trigger jobs_touch_updated_at
  before update on public.jobs
  for each row execute function private.touch_updated_at();

create policy "Operators can view jobs"
  on public.jobs for select to authenticated using ((select private.is_operator()));
create policy "Operators can queue jobs"
  on public.jobs for insert to authenticated
  with check ((select private.is_operator()) and status = 'queued');
create policy "Operators can cancel jobs"
  on public.jobs for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can delete finished jobs"
  on public.jobs for delete to authenticated
  using ((select private.is_operator()) and status in ('succeeded', 'failed', 'cancelled'));

-- API keys for the Ollama- and OpenAI-compatible endpoints; only a hash is stored.
create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  user_id text not null default (auth.uid())::text,
  name text not null check (char_length(name) between 1 and 100),
  prefix text not null check (char_length(prefix) between 4 and 32),
  key_hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
alter table public.api_keys enable row level security;
create index api_keys_user_id_idx on public.api_keys (user_id);

create policy "Users can view their own API keys"
  on public.api_keys for select to authenticated using (user_id = (select private.current_user_id()));
create policy "Users can create their own API keys"
  on public.api_keys for insert to authenticated with check (user_id = (select private.current_user_id()));
create policy "Users can revoke their own API keys"
  on public.api_keys for update to authenticated
  using (user_id = (select private.current_user_id()))
  with check (user_id = (select private.current_user_id()));
create policy "Users can delete their own API keys"
  on public.api_keys for delete to authenticated using (user_id = (select private.current_user_id()));
