-- paid: what has been paid so far.
-- Grain: one row per person per period per component with any ledger entry.
--   paid_fen  net of every earlier entry (earlier_balances) and this month's reversals (bank failures)
with
final as (
    select id_number, period, component, sum(amount_fen)::bigint as paid_fen
    from (
        select id_number, period, component, net_fen as amount_fen from earlier_balances
        union all
        select id_number, period, component, amount_fen from reversals
    )
    group by all
)

select * from final
