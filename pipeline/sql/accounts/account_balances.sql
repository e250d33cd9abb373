-- account_balances: the net of every account entry up to and including the run month, carried to
-- the next month so that it starts from here instead of summing every earlier month's entries
-- (SPEC §5a). A cache of the account ledger: the audit proves it equal to the entries' sums.
-- Grain: one row per person (ID as the entries carry it) per component per year with any entry.
-- Inputs: account_balances_before (as the month before left it, or accounts/account_sums),
-- account_entries (this month's), params (run_month).
--   net_fen                sum of amount_fen of every entry so far
--   held_on_1_january_fen  sum of the entries held on 1 January of the run month's year (periods
--                          before it, and the opening balance): December's interest is on it
with
before as (
    select b.id_number, b.component, b.year, b.net_fen,
           case when left(b.run_month, 4) < left(params.run_month, 4) then b.net_fen
                else b.held_on_1_january_fen end as held_on_1_january_fen
    from account_balances_before as b
    cross join params
),

this_month as (
    select e.id_number, e.component, e.year, e.amount_fen as net_fen,
           case when e.component = 'opening' or e.period < left(params.run_month, 4) || '-01'
                then e.amount_fen else 0 end as held_on_1_january_fen
    from account_entries as e
    cross join params
),

final as (
    select id_number, component, year, sum(net_fen)::bigint as net_fen,
           sum(held_on_1_january_fen)::bigint as held_on_1_january_fen
    from (select * from before union all select * from this_month)
    group by id_number, component, year
)

select * from final order by id_number, component, year
