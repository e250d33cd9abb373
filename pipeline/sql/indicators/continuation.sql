-- 居保缴费续缴率 contribution continuation: last year's contributors who are still under pension age at
-- the year's end, alive and not terminated, and contributed again this year ÷ those people.
-- Last year's contributors: the previous year's contributions file when loaded, otherwise the people
-- marked contributing on the year's first roster (the pipeline's first year has no earlier file).
-- Grain of the result: one row.
with
first_month as (select min(run_month) as run_month from year_months),

last_year as (
    select distinct id_number from contributions_previous
    union
    select id_number from year_roster
    where run_month = (select run_month from first_month) and status = 'contributing'
        and (select count(*) from contributions_previous) = 0
),

december as (
    select * from year_roster where run_month = (select run_month from year_months where year_end)
),

still_due_to_pay as (
    select l.id_number
    from last_year as l
    join december as r using (id_number)
    where r.status = 'contributing'
        and month_at_age(r.birth_date, case r.sex when 'M' then getvariable('pension_age_male')
                                              else getvariable('pension_age_female') end)
            > getvariable('year')::varchar || '-12'
        and l.id_number not in (
            select id_number from deaths_in_force
            where death_date <= make_date(getvariable('year'), 12, 31)
        )
),

final as (
    select
        count(*) filter (where id_number in (select id_number from contributions)) as numerator,
        count(*) as denominator
    from still_due_to_pay
)

select * from final
