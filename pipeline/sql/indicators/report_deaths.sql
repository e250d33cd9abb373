-- report_deaths: the report's chart of deaths registered and funeral grants paid.
-- Grain: one row per run month of the year.
--   deaths  death registrations accepted in the run month
--   grants  funeral-grant payment entries written by the run month
with
deaths as (
    select run_month, count(*) as deaths
    from read_parquet(getvariable('deaths_files'))
    group by all
),

grants as (
    select run_month, count(*) filter (where kind = 'payment') as grants
    from year_ledger
    where component = 'funeral_grant'
    group by all
),

final as (
    select m.run_month, coalesce(d.deaths, 0) as deaths, coalesce(g.grants, 0) as grants
    from year_months as m
    left join deaths as d using (run_month)
    left join grants as g using (run_month)
)

select * from final order by run_month
