-- due_rates: the rates in force in each month from the opening month to the run month (stored, so
-- that the next month recomputes every person's due in a month whose rates changed:
-- repriced_periods).
-- Grain: one row per month.
-- Inputs: rates (effective-dated), params (opening and run month).
--   period       'YYYY-MM'
--   base_fen     the base pension a month in force in it
--   topup65_fen  the 65+ top-up a month in force in it
--   rules_sha256 the hash of the SQL computing due (pipeline/entitlement.py): new rules recompute all
with
months as (
    select strftime(m, '%Y-%m') as period
    from params, range(strptime(params.opening_month, '%Y-%m')::date,
                       strptime(params.run_month, '%Y-%m')::date + interval 1 month,
                       interval 1 month) as t(m)
),

final as (
    -- the rate row in force in each month: the latest `from` not after it
    select months.period, rates.base_fen::bigint as base_fen, rates.topup65_fen::bigint as topup65_fen,
           params.rules_sha256
    from months asof join rates on months.period >= rates.from_month
    cross join params
)

select * from final order by period
