-- due: what each person is owed, from the opening month to the run month.
-- Grain: one row per person per period per component with money due (amount > 0), in the scope.
-- Computed only where it can change (SPEC §5), the month's scope: the recomputed people in every
-- month, everyone in the repriced months (the run month among them), and every funeral grant (few
-- rows: the deaths). Every other key's due is the latest month's whose scope held it (due as of a
-- month, SPEC §6): it is not read into the month.
-- Inputs: due_inputs (each person's values due reads), due_rates (the rates in force each month),
-- recomputed_people, repriced_periods, rates (effective-dated: a death before the opening month),
-- params (funeral months).
--   id_number    the person (18-character ID)
--   period       the month the money belongs to, 'YYYY-MM'
--   component    base | topup65 | account | funeral_grant
--   due_fen      integer fen owed for that period and component
with
people_dated as (
    select i.*, i.id_number in (select id_number from recomputed_people) as recomputed
    from due_inputs as i
),

rates_by_month as (
    select r.*, r.period in (select period from repriced_periods) as repriced
    from due_rates as r
),

pension_months as (
    -- months in which the person is eligible for the monthly pension (SPEC §5), for the people
    -- recomputed and the months repriced
    select p.id_number, r.period, r.base_fen, r.topup65_fen, p.topup_month, p.account_pension_fen
    from people_dated as p
    join rates_by_month as r
        on r.period >= p.pension_age_month
        and r.period >= p.benefit_start
        and (p.death_month is null or r.period <= p.death_month)
        and (p.employee_pension_from is null or r.period < p.employee_pension_from)
        and (p.status in ('receiving', 'suspended')
             or (p.status = 'terminated' and r.period <= p.end_month))
        and (p.last_rostered_month is null or r.period <= p.last_rostered_month)
        and (p.recomputed or r.repriced)
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
    from due_inputs as p
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
