-- declaration_counts: the head counts next year's declaration is projected from.
-- Grain: one row. From the year's last roster and the year's deaths:
--   pensioners_now        receiving or suspended, local hukou, alive at the year's end
--   pensioners_65_now     of them, 65 or older by the year's end
--   entrant_months        months of pension next year of contributors reaching pension age in it
--   entrants              how many contributors reach pension age next year
--   turning_65_months     months of top-up next year of pensioners (and entrants) turning 65 in it
--   contributors_next     contributors still under pension age at the end of next year
--   subsidy_accounts_next of them, those whose account the year's runs credited a subsidy (net
--                         above 0): the contributors the accounts show, next year's subsidy line
--   deaths_year           deaths of the year among pensioners (registrations in force)
--   pensioners_avg_year   average monthly number of pensioners over the year's rosters
with
last_roster as (
    select r.*,
        month_at_age(birth_date, case sex when 'M' then getvariable('pension_age_male')
                                          else getvariable('pension_age_female') end) as pension_month,
        month_at_age(birth_date, getvariable('topup_age')) as topup_month
    from year_roster as r
    where run_month = (select run_month from year_months where year_end)
        and id_number not in (select id_number from deaths_in_force
                              where death_date <= make_date(getvariable('year'), 12, 31))
),

next_year as (select (getvariable('year') + 1)::varchar as y),

pensioners as (
    select * from last_roster where status in ('receiving', 'suspended') and hukou_local
),

entrants as (
    select *, 13 - month(strptime(pension_month, '%Y-%m')) as months_next_year
    from last_roster, next_year
    where status = 'contributing' and hukou_local and pension_month like next_year.y || '-%'
),

subsidised as (
    select current_id_number as id_number
    from account_ledger
    where run_month in (select run_month from year_months) and component = 'subsidy'
    group by current_id_number
    having sum(amount_fen) > 0
),

deaths as (
    select count(*) as n from deaths_in_force
    where year(death_date) = getvariable('year')
        and id_number in (select id_number from year_roster where status in ('receiving', 'suspended'))
),

final as (
    select
        (select count(*) from pensioners) as pensioners_now,
        (select count(*) from pensioners where topup_month <= getvariable('year')::varchar || '-12')
            as pensioners_65_now,
        (select coalesce(sum(months_next_year), 0) from entrants) as entrant_months,
        (select count(*) from entrants) as entrants,
        (select coalesce(sum(13 - month(strptime(topup_month, '%Y-%m'))), 0)
         from (select topup_month from pensioners union all select topup_month from entrants), next_year
         where topup_month like next_year.y || '-%') as turning_65_months,
        (select count(*) from last_roster, next_year
         where status = 'contributing' and pension_month > next_year.y || '-12') as contributors_next,
        (select count(*) from last_roster, next_year
         where status = 'contributing' and pension_month > next_year.y || '-12'
             and id_number in (select id_number from subsidised)) as subsidy_accounts_next,
        (select n from deaths) as deaths_year,
        (select count(*) / count(distinct run_month) from year_roster
         where status in ('receiving', 'suspended')) as pensioners_avg_year
)

select * from final
