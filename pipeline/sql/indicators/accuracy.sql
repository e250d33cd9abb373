-- 居保资金发放准确率 payout accuracy: bank payment lines of the year never reversed nor followed by a
-- recovery of the money they carried ÷ all bank payment lines of the year.
-- Grain of the result: one row.
with
lines as (
    select distinct batch_id, line_no from year_ledger
    where kind = 'payment' and batch_id is not null
        and run_month in (select run_month from year_months)
),

carried as (
    select batch_id, line_no, entry_id, id_number, period, component, run_month
    from year_ledger where kind = 'payment' and batch_id is not null
),

reversed as (
    select distinct c.batch_id, c.line_no
    from carried as c join year_ledger as r on r.reverses_entry_id = c.entry_id
),

recovered as (
    select distinct c.batch_id, c.line_no
    from carried as c
    join year_ledger as r
        on r.kind = 'recovery' and r.id_number = c.id_number and r.period = c.period
        and r.component = c.component and r.run_month > c.run_month
),

final as (
    select
        count(*) filter (where (l.batch_id, l.line_no) not in (select (batch_id, line_no) from reversed)
                           and (l.batch_id, l.line_no) not in (select (batch_id, line_no) from recovered))
            as numerator,
        count(*) as denominator
    from lines as l
)

select * from final
