-- repriced_periods: the months whose due is computed again for everyone: the run month, and every
-- month whose rates (or the rules computing due: rules_sha256) differ from what the month before
-- computed it with (a retroactive raise, a corrected rate row).
-- Grain: one row per month.
-- Inputs: due_rates, due_rates_before (the month before's; empty: every month is repriced).
with
final as (
    select period from (
        select * from due_rates
        except
        select * exclude (run_month) from due_rates_before
    )
)

select * from final
