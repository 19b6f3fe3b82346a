-- Extensions live in the `extensions` schema, as on Supabase.
create extension if not exists vector with schema extensions;

-- Helpers used by policies. A private schema keeps them out of the API.
create schema if not exists private;
grant usage on schema private to anon, authenticated, service_role;

-- Operators (dashboards, adaptations, knowledge upload) carry app_metadata.role = 'operator'
-- in their JWT. app_metadata can only be written with the service key, so users cannot
-- promote themselves.
create or replace function private.is_operator() returns boolean
language sql stable
set search_path = ''
as $$
  select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'role', '') = 'operator'
$$;

create or replace function private.current_user_id() returns text
language sql stable
set search_path = ''
as $$
  select (select auth.uid())::text
$$;

grant execute on function private.is_operator(), private.current_user_id() to anon, authenticated, service_role;

create or replace function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
