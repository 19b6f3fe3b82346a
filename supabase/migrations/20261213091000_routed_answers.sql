-- The answers the learned policy routed, newest first: the dashboard judges fixed routing
-- policies on the last few thousand of them (lib/db/queries/routed-answers.ts). Each records
-- its draw (routing_decision -> 'draw', lib/domain/decision.ts) when it is finished.
create index interactions_routed_idx on public.interactions (created_at) where routing_decision ? 'draw';
