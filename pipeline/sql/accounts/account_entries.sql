-- account_entries: the month's new entries of the personal accounts (SPEC §5a): its credits, and
-- the debits of the money the month's ledger moved out of the accounts.
-- Grain: one row per person per component per key (contribution year, interest year) with money.
-- Inputs: params (run_month), account_credits (the month's credits), ledger (the month's payment
-- ledger entries), people (the entitlement's people: who is in which township).
--   component  opening | contribution | subsidy | interest (account_credits) | pension_debit
--              (minus the net of the month's `account` entries: paid less recovered and reversed;
--              > 0 when the month takes back more than it pays) | refund (minus the net of the
--              month's `account_refund` entries: < 0 paid out, > 0 a refund the bank sent back)
--   period     credits: as account_credits; pension_debit, refund: the run month
--   amount_fen signed fen
with
moved_out as (
    select l.id_number, params.run_month as period,
           case l.component when 'account' then 'pension_debit' else 'refund' end as component,
           -sum(l.amount_fen)::bigint as amount_fen
    from ledger as l
    cross join params
    where l.component in ('account', 'account_refund')
    group by all
),

new_entries as (
    select id_number, period, component, amount_fen, year, source_file, source_row from account_credits
    union all
    select id_number, period, component, amount_fen, null::bigint, null::varchar, null::bigint
    from moved_out
    where amount_fen <> 0
),

final as (
    select
        substr(md5(concat_ws('|', params.run_month, e.id_number, e.component,
                             coalesce(e.year::varchar, ''), e.period)), 1, 20) as entry_id,
        e.id_number,
        p.township_code,
        e.period,
        e.component,
        e.amount_fen::bigint as amount_fen,
        e.year::bigint as year,
        e.source_file,
        e.source_row::bigint as source_row
    from new_entries as e
    cross join params
    left join people as p using (id_number)
)

select * from final order by id_number, component, year, period
