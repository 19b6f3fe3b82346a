-- The answers the learned policy routed, newest first: the dashboard judges fixed routing
-- policies on the last few thousand of them (lib/db/queries/routed-answers.ts). Each records
-- its draw in its routing decision when it is finished (routing_decision -> 'draw',
-- lib/domain/decision.ts). The database keeps a copy of it beside the row, so reading two
-- thousand draws does not unpack two thousand whole decisions (a few kilobytes each); derived,
-- so the decision stays its one source. Adding it rewrites the table once.
alter table public.interactions add column routing_draw jsonb generated always as (routing_decision -> 'draw') stored;
create index interactions_routed_idx on public.interactions (created_at) where routing_draw is not null;
