-- awards: every award of an account pension so far (SPEC §5a), carried month to month: the month
-- before's, and the people this month first pays a base pension (their award month), each with
-- the account pension account_pensions gave them (the month's due was computed with it).
-- Grain: one row per person (ID as at the award).
-- Inputs: awards_before_as_filed (the month before's awards, IDs as written), account_pensions,
-- ledger (the month's entries), params (run_month).
--   award_month           the run month of the first base payment entry
--   basis                 computed | previous_system
--   balance_at_award_fen  the balance at award (every entry before that run and its credits)
--   divisor               the divisor in force in the award month (computed only)
--   account_pension_fen   the monthly account pension, fen
with
first_paid as (
    select distinct id_number from ledger where component = 'base' and kind = 'payment'
),

new_awards as (
    select a.id_number, params.run_month as award_month, a.basis, a.balance_at_award_fen, a.divisor,
           a.account_pension_fen
    from account_pensions as a
    cross join params
    where not a.awarded and a.id_number in (select id_number from first_paid)
),

final as (
    select id_number, award_month, basis, balance_at_award_fen::bigint as balance_at_award_fen,
           divisor::bigint as divisor, account_pension_fen::bigint as account_pension_fen
    from awards_before_as_filed
    union all
    select * from new_awards
)

select * from final order by id_number
