-- Every app instance keeps the active routing patterns and their members in memory (the
-- request path reads no pattern rows). Any change to them, by whichever instance or by an
-- operator through the API, announces itself on the channel the instances listen on; the
-- payload matches lib/db/changes.ts. NOTIFY folds identical payloads within a transaction.
create or replace function private.announce_patterns_changed() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('elite_changes', '{"topic":"patterns"}');
  return null;
end
$$;
revoke all on function private.announce_patterns_changed() from public, anon, authenticated;

create trigger routing_pattern_members_changed
  after insert or update or delete on public.routing_pattern_members
  for each statement execute function private.announce_patterns_changed();
-- Only routing patterns: the learning state rows kept in the same table change with every answer.
create trigger learning_patterns_routing_inserted
  after insert on public.learning_patterns
  for each row when (new.pattern_type = 'routing')
  execute function private.announce_patterns_changed();
create trigger learning_patterns_routing_updated
  after update on public.learning_patterns
  for each row when (new.pattern_type = 'routing' or old.pattern_type = 'routing')
  execute function private.announce_patterns_changed();
create trigger learning_patterns_routing_deleted
  after delete on public.learning_patterns
  for each row when (old.pattern_type = 'routing')
  execute function private.announce_patterns_changed();
