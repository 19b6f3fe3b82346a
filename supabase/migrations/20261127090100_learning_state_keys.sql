-- One state row per (kind, task type, model) for the bandit-style learning state kept in
-- learning_patterns (parameter arms, fallback rescue counts, classifier voter weights).
-- Routing patterns are many per (task type, model) and stay outside this key.
create unique index learning_patterns_state_key_idx on public.learning_patterns
  (pattern_type, coalesce(task_type, ''), coalesce(model_name, ''))
  where pattern_type in ('parameters', 'fallback', 'classification');
