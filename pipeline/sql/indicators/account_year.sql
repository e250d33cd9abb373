-- account_year: the personal accounts' figures of the year (SPEC §5a, §9). Needs the audit views
-- (account_ledger) and the year's views (year_months). Cash basis, as the budget lines: the
-- entries the year's run months wrote, whatever period they belong to.
-- Grain: one row.
--   subsidy_credited_fen        政府补贴 credited to the accounts by the year's runs (corrections
--                               included), set against the declared subsidy line in Python
--   subsidy_accounts            accounts whose net subsidy credited in the year is above 0
--   contributions_credited_fen  个人缴费 credited by the year's runs (corrections included)
--   interest_fen                interest credited by the year's runs
--   accounts_paid               accounts debited an account pension in the year
--   accounts_exhausted          of them, a balance of 0 or below after the year's last run (an
--                               account refunded is closed, not exhausted)
--   exhausted_in_year           of those, the ones not already exhausted before the year
--   fund_paid_fen               the year's growth of the exhausted accounts' shortfall: account
--                               pension paid beyond the balance, which the fund pays
--   refunds, refunds_fen        accounts refunded (at death, or on leaving) by the year's runs,
--                               and the money paid out (fen, positive)
with
year_entries as (
    select * from account_ledger where run_month in (select run_month from year_months)
),

balances as (
    select current_id_number as id_number,
           coalesce(sum(amount_fen) filter (where run_month < getvariable('year')::varchar || '-01'), 0)
               as before_fen,
           sum(amount_fen) as after_fen,
           bool_or(run_month < getvariable('year')::varchar || '-01') as held_before,
           bool_or(component = 'refund') as closed_by_refund
    from account_ledger
    where run_month <= (select run_month from year_months where year_end)
    group by current_id_number
),

paid as (
    select distinct current_id_number as id_number from year_entries where component = 'pension_debit'
),

exhausted as (
    select b.* from balances as b join paid using (id_number) where b.after_fen <= 0 and not b.closed_by_refund
),

subsidised as (
    select current_id_number as id_number from year_entries where component = 'subsidy'
    group by current_id_number having sum(amount_fen) > 0
),

refunded as (
    select current_id_number as id_number, -sum(amount_fen) as refund_fen
    from year_entries where component = 'refund'
    group by current_id_number
),

final as (
    select
        (select coalesce(sum(amount_fen), 0) from year_entries where component = 'subsidy')::bigint
            as subsidy_credited_fen,
        (select count(*) from subsidised) as subsidy_accounts,
        (select coalesce(sum(amount_fen), 0) from year_entries where component = 'contribution')::bigint
            as contributions_credited_fen,
        (select coalesce(sum(amount_fen), 0) from year_entries where component = 'interest')::bigint
            as interest_fen,
        (select count(*) from paid) as accounts_paid,
        (select count(*) from exhausted) as accounts_exhausted,
        (select count(*) from exhausted where not held_before or before_fen > 0) as exhausted_in_year,
        (select coalesce(sum(greatest(-after_fen, 0) - greatest(-before_fen, 0)), 0) from exhausted)::bigint
            as fund_paid_fen,
        (select count(*) from refunded) as refunds,
        (select coalesce(sum(refund_fen), 0) from refunded)::bigint as refunds_fen
)

select * from final
