-- Beta evidence with change detection (lib/learning/evidence.ts addEvidence): a long memory
-- decayed by `discount` and a recent one decayed by 0.98 (about fifty outcomes). When the
-- recent memory holds at least 20 outcomes and the two Laplace-smoothed means are more than
-- 3 standard errors apart, the arm has changed and the long memory restarts from the recent
-- one. Same signature as before: every caller (model outcomes, parameter arms) gets it.
create or replace function private.evidence_add(e jsonb, reward float8, discount float8, now_ms float8)
returns jsonb language sql immutable as $$
  select jsonb_build_object(
    'alpha', case when d.drift then d.ra else d.la end,
    'beta', case when d.drift then d.rb else d.lb end,
    'recent', jsonb_build_object('alpha', d.ra, 'beta', d.rb),
    'updatedAt', greatest(coalesce((e ->> 'updatedAt')::float8, 0), now_ms))
  from (
    select s.la, s.lb, s.ra, s.rb,
      (s.ra + s.rb >= 20 and abs(s.lm - s.rm) > 3 * sqrt(s.lm * (1 - s.lm) / (s.la + s.lb + 3) + s.rm * (1 - s.rm) / (s.ra + s.rb + 3))) as drift
    from (
      select v.la, v.lb, v.ra, v.rb, (v.la + 1) / (v.la + v.lb + 2) as lm, (v.ra + 1) / (v.ra + v.rb + 2) as rm
      from (select
        coalesce((e ->> 'alpha')::float8, 0) * discount + reward as la,
        coalesce((e ->> 'beta')::float8, 0) * discount + (1 - reward) as lb,
        coalesce((e -> 'recent' ->> 'alpha')::float8, 0) * 0.98 + reward as ra,
        coalesce((e -> 'recent' ->> 'beta')::float8, 0) * 0.98 + (1 - reward) as rb) v) s) d
$$;

revoke all on function private.evidence_add(jsonb, float8, float8, float8) from public, anon, authenticated;
