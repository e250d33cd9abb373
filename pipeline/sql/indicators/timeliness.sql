-- 居保资金发放及时性 payout timeliness: person-months of the year whose due pension was paid in full
-- by the run of that same month (and not bounced back by the bank later) ÷ all person-months with
-- pension due.
-- Grain of the result: one row.
with
due_months as (
    select id_number, period, sum(due_fen) as due_fen from year_due group by all
),

paid_on_time as (
    select id_number, period, sum(amount_fen) as paid_fen
    from year_ledger
    where run_month = period and component in ('base', 'topup65', 'account')
        and entry_id not in (select reverses_entry_id from year_ledger where reverses_entry_id is not null)
    group by all
),

final as (
    select count(*) filter (where coalesce(p.paid_fen, 0) >= d.due_fen) as numerator, count(*) as denominator
    from due_months as d left join paid_on_time as p using (id_number, period)
)

select * from final
