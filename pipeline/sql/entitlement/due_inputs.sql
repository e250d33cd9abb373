-- due_inputs: every value of a person that due reads, one row per person of people (stored, so that
-- the next month recomputes due only for the people whose row differs: changed_people).
-- Grain: one row per person.
-- Inputs: people, deaths_in_force, account_pensions, params (ages).
--   pension_age_month    the month of the 60th (men) / 55th (women) birthday
--   topup_month          the month of the 65th birthday
--   last_rostered_month  for a person on no roster, the last month one carried them
--   death_month, registered_month   of the registration in force
--   account_pension_fen  the account pension a month (SPEC §5a)
with
final as (
    select
        p.id_number,
        p.hukou_local,
        p.status,
        month_at_age(p.birth_date, case p.sex when 'M' then params.pension_age_male
                                               else params.pension_age_female end) as pension_age_month,
        month_at_age(p.birth_date, params.topup_age) as topup_month,
        p.benefit_start,
        p.end_month,
        p.employee_pension_from,
        p.last_rostered_month,
        strftime(d.death_date, '%Y-%m') as death_month,
        strftime(d.registered_on, '%Y-%m') as registered_month,
        a.account_pension_fen::bigint as account_pension_fen
    from people as p
    cross join params
    left join deaths_in_force as d using (id_number)
    left join account_pensions as a using (id_number)
)

select * from final order by id_number
