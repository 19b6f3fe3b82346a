-- The task type an interaction is known to have had (lib/domain/task-type-confirmation.ts is
-- the same rule): the one its user or an operator stated in feedback.taskType; else the
-- classified one when the answer was rated well (4 stars or more, or thumbs up) and nobody
-- disputed it; null while unconfirmed. Only confirmed labels teach the classifiers.
create or replace function private.confirmed_task_type(task_type text, rating integer, feedback jsonb)
returns text
language sql immutable
set search_path = ''
as $$
  select case
    when feedback ->> 'taskType' in ('math', 'algorithm', 'code_generation', 'debugging',
      'refactoring_optimization', 'architecture', 'explanation', 'general') then feedback ->> 'taskType'
    when coalesce(rating, 0) >= 4 or feedback ->> 'thumbs' = 'up' then task_type
    else null
  end
$$;
