-- The model roster, the versioned model configuration and app settings.

-- Which Ollama tag plays each role. Tags are configuration; roles are the domain.
create table public.model_roles (
  role text primary key
    check (role in ('router', 'math', 'lead_developer', 'senior_developer', 'architect', 'embedding')),
  model_tag text not null check (char_length(model_tag) between 1 and 200),
  updated_at timestamptz not null default now(),
  updated_by text
);
alter table public.model_roles enable row level security;

insert into public.model_roles (role, model_tag) values
  ('router', 'openhermes'),
  ('math', 'mathstral'),
  ('lead_developer', 'deepseek-coder:6.7b'),
  ('senior_developer', 'codellama:7b-instruct'),
  ('architect', 'wizardcoder'),
  ('embedding', 'nomic-embed-text')
on conflict (role) do nothing;

create policy "Authenticated users can view the model roster"
  on public.model_roles for select to authenticated using (true);
create policy "Operators can add roles to the roster"
  on public.model_roles for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can change the model roster"
  on public.model_roles for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can remove roles from the roster"
  on public.model_roles for delete to authenticated using ((select private.is_operator()));

-- Immutable configuration versions: system prompt and parameters per model and task type,
-- routing and fallback settings. A change is a new version; labels point at versions.
create table public.config_versions (
  id uuid primary key default gen_random_uuid(),
  version integer generated always as identity unique,
  parent_id uuid references public.config_versions (id),
  config jsonb not null check (jsonb_typeof(config) = 'object'),
  summary text not null default '',
  created_by text,
  created_at timestamptz not null default now()
);
alter table public.config_versions enable row level security;
create index config_versions_parent_id_idx on public.config_versions (parent_id);

create or replace function private.forbid_config_version_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'configuration versions are immutable: create a new version instead'
    using errcode = 'check_violation';
end
$$;
create trigger config_versions_immutable
  before update or delete on public.config_versions
  for each row execute function private.forbid_config_version_change();

create policy "Authenticated users can view configuration versions"
  on public.config_versions for select to authenticated using (true);
create policy "Operators can create configuration versions"
  on public.config_versions for insert to authenticated with check ((select private.is_operator()));

create table public.config_labels (
  label text primary key check (label in ('production', 'candidate')),
  version_id uuid not null references public.config_versions (id),
  updated_at timestamptz not null default now(),
  updated_by text
);
alter table public.config_labels enable row level security;
create index config_labels_version_id_idx on public.config_labels (version_id);

create policy "Authenticated users can view configuration labels"
  on public.config_labels for select to authenticated using (true);
create policy "Operators can add configuration labels"
  on public.config_labels for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can move configuration labels"
  on public.config_labels for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can remove configuration labels"
  on public.config_labels for delete to authenticated using ((select private.is_operator()));

with v as (
  insert into public.config_versions (config, summary, created_by)
  select
    jsonb_build_object(
      'prompts', jsonb_build_object(
        'router', 'You are a helpful, precise assistant. Answer clearly and concisely.',
        'math', 'You are a mathematician. Show the key steps and end with the final answer on its own line.',
        'lead_developer', 'You are a senior software engineer. Write correct, idiomatic code in fenced code blocks and explain briefly.',
        'senior_developer', 'You are an experienced software engineer. Review carefully, fix bugs, and write clear code in fenced code blocks.',
        'architect', 'You are a software architect. Structure the answer: requirements, components, trade-offs, then a recommendation.'
      ),
      'task_prompts', '{}'::jsonb,
      'params', '{}'::jsonb
    ),
    'Initial configuration',
    'system'
  where not exists (select 1 from public.config_versions)
  returning id
)
insert into public.config_labels (label, version_id, updated_by)
select 'production', id, 'system' from v;

-- Application settings that operators change at run time (learning cadence, autonomy, …).
create table public.app_settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_.]{1,80}$'),
  value jsonb not null,
  updated_at timestamptz not null default now(),
  updated_by text
);
alter table public.app_settings enable row level security;

create policy "Authenticated users can view settings"
  on public.app_settings for select to authenticated using (true);
create policy "Operators can add settings"
  on public.app_settings for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can change settings"
  on public.app_settings for update to authenticated
  using ((select private.is_operator())) with check ((select private.is_operator()));
create policy "Operators can remove settings"
  on public.app_settings for delete to authenticated using ((select private.is_operator()));
