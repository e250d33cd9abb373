-- 居保资金发放覆盖率 payout coverage: people with every due month of the year paid by the year's
-- end ÷ people with any due month in the year (pension components: base, top-up, account).
-- Grain of the result: one row.
with
person_months as (
    select d.id_number, d.period, sum(d.due_fen) as due_fen, coalesce(sum(n.net_fen), 0) as net_fen
    from year_due as d
    left join (
        select id_number, period, component, sum(amount_fen) as net_fen from year_ledger group by all
    ) as n using (id_number, period, component)
    group by d.id_number, d.period
),

people as (
    select id_number, bool_and(net_fen >= due_fen) as fully_paid from person_months group by id_number
),

final as (
    select count(*) filter (where fully_paid) as numerator, count(*) as denominator from people
)

select * from final
