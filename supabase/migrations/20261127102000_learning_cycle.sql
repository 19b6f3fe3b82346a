-- The learning cycle's settings, with their defaults (operators change them on the
-- Adaptations page; the code falls back to the same defaults when a row is missing).
--   learning.promote_threshold   promote when P(variant better) >= this at a decision look
--   learning.stop_threshold      stop when P(variant better) <= this at a decision look
--   learning.min_samples         per arm before the first decision look (and between looks)
--   learning.max_looks           decision looks; the last one is at max_looks * min_samples per arm
--   learning.max_duration_hours  an experiment still undecided after this is stopped
--   learning.guardrails          error-rate and p95-latency limits that roll a variant back
--   learning.autonomy            off by default: low-risk parameter proposals start as experiments
--   learning.analysis_interval_minutes  0 = no scheduled analysis run
insert into public.app_settings (key, value, updated_by) values
  ('learning.promote_threshold', '0.95'::jsonb, 'system'),
  ('learning.stop_threshold', '0.05'::jsonb, 'system'),
  ('learning.min_samples', '40'::jsonb, 'system'),
  ('learning.max_looks', '4'::jsonb, 'system'),
  ('learning.max_duration_hours', '336'::jsonb, 'system'),
  ('learning.guardrails', '{"maxErrorRateIncrease": 0.15, "maxP95Ratio": 1.5, "minP95IncreaseMs": 2000, "minSamples": 5}'::jsonb, 'system'),
  ('learning.autonomy', 'false'::jsonb, 'system'),
  ('learning.analysis_interval_minutes', '360'::jsonb, 'system')
on conflict (key) do nothing;

