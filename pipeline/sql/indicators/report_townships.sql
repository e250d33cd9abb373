-- report_townships: the report's chart of money per township.
-- Grain: one row per township with ledger entries in the year's run months.
--   fen  the net of those entries
with
final as (
    select township_code, sum(amount_fen)::bigint as fen
    from year_ledger
    where run_month in (select run_month from year_months)
    group by all
)

select * from final order by all
