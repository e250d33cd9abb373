-- paid: what has been paid so far, for the keys whose gap the month judges (positions): every
-- key of the recomputed people, every key of the repriced months, every funeral grant and account
-- refund. Any other key's due and net are the month before's, which left it no gap (SPEC §5).
-- Grain: one row per person per period per component with any ledger entry, in that scope.
--   paid_fen  net of every earlier entry (earlier_balances) and this month's reversals (bank failures)
with
in_scope as (
    -- the same scope as positions' due_in_force side
    select id_number, period, component, net_fen as amount_fen
    from earlier_balances
    where component in ('funeral_grant', 'account_refund')
        or id_number in (select id_number from recomputed_people)
        or period in (select period from repriced_periods)
),

final as (
    select id_number, period, component, sum(amount_fen)::bigint as paid_fen
    from (
        select * from in_scope
        union all
        select id_number, period, component, amount_fen from reversals
    )
    group by all
)

select * from final
