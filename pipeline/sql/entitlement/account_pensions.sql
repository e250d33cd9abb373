-- account_pensions: the account pension each person is due a month (SPEC §5a): the award's, once
-- fixed; for a person not yet awarded, the award this month would fix (it is fixed, in awards, if
-- the month pays them a base pension: their due this month and their award then agree).
-- Grain: one row per person of people.
-- Inputs: people, awards_before (every award so far, an old ID's read as its new ID's),
-- account_funds (balance once the month's credits are booked), base_paid_before, params
-- (run_month, opening_month, account_divisor: the divisor in force in the run month).
--   account_pension_fen   fen a month
--   basis                 computed (balance ÷ divisor) | previous_system (the roster's value: paid
--                         in the opening month's run, or paid before awards were kept)
--   balance_at_award_fen  the balance the award divides (at the award: kept in awards)
--   divisor               the divisor of a computed award (null: previous_system)
--   awarded               true when the award was fixed by an earlier month
with
awarded as (
    select id_number, account_pension_fen, basis, balance_at_award_fen, divisor
    from awards_before
    -- two IDs linked after both were paid: the earlier award stands
    qualify row_number() over (partition by id_number order by award_month, basis) = 1
),

not_awarded as (
    select
        p.id_number,
        p.account_pension_fen as roster_fen,
        case when params.run_month = params.opening_month or b.id_number is not null
             then 'previous_system' else 'computed' end as basis,
        coalesce(f.balance_fen, 0)::bigint as balance_at_award_fen,
        params.account_divisor
    from people as p
    cross join params
    left join account_funds as f using (id_number)
    left join base_paid_before as b using (id_number)
    where p.id_number not in (select id_number from awarded)
),

final as (
    select a.id_number, a.account_pension_fen::bigint as account_pension_fen, a.basis,
           a.balance_at_award_fen::bigint as balance_at_award_fen, a.divisor::bigint as divisor,
           true as awarded
    from awarded as a
    where a.id_number in (select id_number from people)
    union all
    select id_number,
           case when basis = 'previous_system' then roster_fen
                else account_pension_of(balance_at_award_fen, account_divisor) end,
           basis, balance_at_award_fen,
           case when basis = 'computed' then account_divisor end::bigint,
           false
    from not_awarded
)

select * from final
