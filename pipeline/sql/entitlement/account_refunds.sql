-- account_refunds: the balance left on a personal account, paid out once (SPEC §5a): to the heirs
-- of a participant whose funeral grant is due (period = the month of death), or to a terminated
-- person never paid a pension (period = their end month).
-- Grain: one row per person with a refund due (amount > 0).
-- Inputs: due (the funeral grants and the account pensions due), people, account_pensions,
-- account_funds, base_paid_before, earlier_balances (the account components of the dead and the
-- terminated among them).
--   due_fen  every credit of the account (the balance once the month's credits are booked, with
--            the account pension and refunds debited before this run added back) less every
--            account pension due (paid or still to pay): what is left once the account has paid
--            all it owes. A refund once paid stays as paid (due_in_force); one the bank sent back
--            is due again in full.
with
died as (
    select id_number, period from due where component = 'funeral_grant'
),

terminated_never_paid as (
    select p.id_number, p.end_month as period
    from people as p
    where p.status = 'terminated'
        and p.id_number not in (select id_number from died)
        and p.id_number not in (select id_number from account_pensions where awarded)
        and p.id_number not in (select id_number from due where component = 'base')
        and p.id_number not in (select id_number from base_paid_before)
),

refundable as (
    select * from died
    union all
    select * from terminated_never_paid
),

account_due as (
    select id_number, sum(due_fen)::bigint as due_fen from due where component = 'account' group by id_number
),

debited_before as (
    select id_number, sum(net_fen)::bigint as net_fen
    from earlier_balances where component in ('account', 'account_refund') group by id_number
),

final as (
    select r.id_number, r.period, 'account_refund' as component,
           (coalesce(f.balance_fen, 0) + coalesce(b.net_fen, 0) - coalesce(d.due_fen, 0))::bigint as due_fen
    from refundable as r
    left join account_funds as f using (id_number)
    left join debited_before as b using (id_number)
    left join account_due as d using (id_number)
)

select * from final where due_fen > 0
