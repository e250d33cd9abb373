-- balances: the net of every ledger entry up to and including the run month, carried to the
-- next month so that it starts from here instead of summing the whole ledger (SPEC §5, §6). A
-- cache of the ledger: the audit proves it equal to the ledger's sums at every close.
-- Grain: one row per person per period per component with any ledger entry so far, for every
-- period the month's entries touch (each such period in full); the person is the ID the entries
-- carry (links not followed: each run follows the links in force, as it does for the ledger itself).
-- Every other period is as the month that last rewrote it left it (macro carried_as_of), so a
-- month writes what it changed, not every period so far. A month whose month before carried no
-- balances (params.balances_in_full: balances_before summed from the whole ledger) writes every period.
-- Inputs: balances_before (as the month before carried it), ledger (this month's), params.
--   net_fen   sum of amount_fen of every entry: the net paid
--   owed_fen  sum of amount_fen of the entries of settlement 'owed' (minus what is still owed)
with
this_month as (
    select id_number, period, component, amount_fen::bigint as net_fen,
           case when settlement = 'owed' then amount_fen else 0 end::bigint as owed_fen
    from ledger
),

rewritten_periods as (
    select distinct period from this_month
    union
    select distinct period from balances_before where (select balances_in_full from params)
),

before_in_periods as (
    select id_number, period, component, net_fen, owed_fen
    from balances_before semi join rewritten_periods using (period)
),

touched as (
    select distinct id_number, period, component from this_month
),

untouched as (
    select * from before_in_periods anti join touched using (id_number, period, component)
),

touched_sums as (
    select id_number, period, component, sum(net_fen)::bigint as net_fen, sum(owed_fen)::bigint as owed_fen
    from (
        select * from before_in_periods semi join touched using (id_number, period, component)
        union all
        select * from this_month
    )
    group by id_number, period, component
),

final as (
    select * from untouched
    union all
    select * from touched_sums
)

select * from final order by id_number, period, component
