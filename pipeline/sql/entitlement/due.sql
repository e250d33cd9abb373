-- due: what each person is owed, from the opening month to the run month.
-- Grain: one row per person per period per component with money due (amount > 0).
-- Inputs: people (run month's roster plus last known rows of people not on it), deaths_in_force,
-- rates (effective-dated), params (one row: opening/run month, ages, funeral months),
-- account_pensions (the account pension a month: the award's, SPEC §5a).
--   id_number    the person (18-character ID)
--   period       the month the money belongs to, 'YYYY-MM'
--   component    base | topup65 | account | funeral_grant
--   due_fen      integer fen owed for that period and component
with
months as (
    select strftime(m, '%Y-%m') as period
    from params, range(strptime(params.opening_month, '%Y-%m')::date,
                       strptime(params.run_month, '%Y-%m')::date + interval 1 month,
                       interval 1 month) as t(m)
),

rates_by_month as (
    -- the rate row in force in each month: the latest `from` not after it
    select months.period, rates.base_fen, rates.topup65_fen
    from months asof join rates on months.period >= rates.from_month
),

death_months as (
    select id_number, strftime(death_date, '%Y-%m') as death_month,
           strftime(registered_on, '%Y-%m') as registered_month
    from deaths_in_force
),

people_dated as (
    select
        people.*,
        month_at_age(birth_date, case sex when 'M' then params.pension_age_male
                                          else params.pension_age_female end) as pension_age_month,
        month_at_age(birth_date, params.topup_age) as topup_month,
        death_months.death_month,
        death_months.registered_month
    from people
    cross join params
    left join death_months using (id_number)
),

pension_months as (
    -- months in which the person is eligible for the monthly pension (SPEC §5)
    select p.id_number, r.period, r.base_fen, r.topup65_fen, p.topup_month, a.account_pension_fen
    from people_dated as p
    left join account_pensions as a using (id_number)
    join rates_by_month as r
        on r.period >= p.pension_age_month
        and r.period >= p.benefit_start
        and (p.death_month is null or r.period <= p.death_month)
        and (p.employee_pension_from is null or r.period < p.employee_pension_from)
        and (p.status in ('receiving', 'suspended')
             or (p.status = 'terminated' and r.period <= p.end_month))
        and (p.last_rostered_month is null or r.period <= p.last_rostered_month)
    where p.hukou_local
),

pension_components as (
    select id_number, period, 'base' as component, base_fen as due_fen from pension_months
    union all
    select id_number, period, 'topup65', topup65_fen from pension_months where period >= topup_month
    union all
    select id_number, period, 'account', account_pension_fen from pension_months
    where account_pension_fen > 0
),

deaths_of_participants as (
    -- a participant not terminated before dying, whose death this pipeline learnt of (registered
    -- from the opening month on: an earlier registration was the previous system's to settle)
    select p.id_number, p.death_month
    from people_dated as p
    cross join params
    where p.death_month is not null
        and p.registered_month >= params.opening_month
        and (p.status in ('receiving', 'suspended', 'contributing')
             or (p.status = 'terminated' and p.death_month <= p.end_month))
),

funeral_grants as (
    -- once per person: N months of the base pension in force in the month of death (a death
    -- before the opening month takes that month's rate, hence the rates' earlier rows)
    select d.id_number, d.death_month as period, 'funeral_grant' as component,
           params.funeral_grant_months * r.base_fen as due_fen
    from deaths_of_participants as d
    asof join rates as r on d.death_month >= r.from_month
    cross join params
),

final as (
    select * from pension_components where due_fen > 0
    union all
    select * from funeral_grants where due_fen > 0
)

select * from final
