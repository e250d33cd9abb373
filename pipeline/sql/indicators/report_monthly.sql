-- report_monthly: the report's chart of money per run month.
-- Grain: one row per run month of the year per component.
--   fen  the net of the month's ledger entries of that component
with
final as (
    select run_month, component, sum(amount_fen)::bigint as fen
    from year_ledger
    where run_month in (select run_month from year_months)
    group by all
)

select * from final order by all
