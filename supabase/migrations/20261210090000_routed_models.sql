-- Models the router may choose besides the roster's: installed chat models that play no role.
-- They start from a neutral prior (pooled from what they show on other task types) and are
-- explored like any candidate, so an operator can add a model they pulled and let the
-- learning find where it is best. Operators choose them in Settings; everyone signed in may
-- see them (they are what "elite" may route to).
create table public.routed_models (
  model_tag text primary key check (char_length(model_tag) between 1 and 200),
  added_at timestamptz not null default now(),
  added_by text
);
alter table public.routed_models enable row level security;

create policy "Authenticated users can view the routed models"
  on public.routed_models for select to authenticated using (true);
create policy "Operators can add routed models"
  on public.routed_models for insert to authenticated with check ((select private.is_operator()));
create policy "Operators can remove routed models"
  on public.routed_models for delete to authenticated using ((select private.is_operator()));
