-- Crash recovery. While an answer streams, the text so far is checkpointed into `response`
-- (at most about once a second: checkpoint_at). Each app instance holds an advisory lock
-- named after its instance_id for as long as it lives; an interaction left `started` by an
-- instance whose lock is free (its process is gone) becomes `interrupted`, keeping the
-- checkpointed text. Interrupted answers carry no reward: their outcome is unknown.
alter table public.interactions drop constraint interactions_status_check;
alter table public.interactions add constraint interactions_status_check
  check (status in ('started', 'completed', 'failed', 'cancelled', 'interrupted'));
alter table public.interactions add column instance_id text;
alter table public.interactions add column checkpoint_at timestamptz;
create index interactions_started_idx on public.interactions (instance_id) where status = 'started';
create index interactions_interrupted_idx on public.interactions (created_at) where status = 'interrupted';
