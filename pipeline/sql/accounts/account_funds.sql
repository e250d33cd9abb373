-- account_funds: what each personal account holds once the month's credits are booked, before
-- the month's debits: the balance an award of this month divides (SPEC §5a) and the refund starts from.
-- Grain: one row per person (current ID: an ID correction's old account is the new ID's) with any
-- account entry.
-- Inputs: account_balances_before (carried by the month before, or accounts/account_sums),
-- account_credits (the month's), id_links (old -> new ID).
--   balance_fen  every entry before the run (debits and refunds included) plus the run's credits
with
followed as (
    select coalesce(l.new_id_number, x.id_number) as id_number, x.amount_fen
    from (
        select id_number, net_fen as amount_fen from account_balances_before
        union all
        select id_number, amount_fen from account_credits
    ) as x
    left join id_links as l on x.id_number = l.old_id_number
),

final as (
    select id_number, sum(amount_fen)::bigint as balance_fen
    from followed
    group by id_number
)

select * from final order by id_number
